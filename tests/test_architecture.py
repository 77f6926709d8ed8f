"""Package boundaries from docs/architecture.md, checked on the source; and imports stay cheap."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

ALLOWED = {"index": set(), "rag": {"index"}, "ui": {"rag"}, "eval": {"rag", "index"}}
OURS = set(ALLOWED)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(top-level package, imported at module level?) for each import in a file."""
    tree = ast.parse(path.read_text("utf-8"))
    top_level = {id(n) for n in tree.body}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found += [(n.split(".")[0], id(node) in top_level) for n in names]
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_flow_one_way(package: str) -> None:
    # no exemption, not even a lazy import: rag finds the ui and eval commands as plugins
    for path in (ROOT / package).rglob("*.py"):
        for imported, _at_top in _imports(path):
            if imported not in OURS or imported == package:
                continue
            assert imported in ALLOWED[package], f"{path.relative_to(ROOT)} imports {imported}"


def test_modules_stay_small() -> None:
    cli = ROOT / "rag" / "cli.py"
    assert len(cli.read_text("utf-8").splitlines()) < 200, "rag/cli.py: parser, flags, errors"
    big = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for package in ALLOWED
        for p in (ROOT / package).rglob("*.py")
        if (n := len(p.read_text("utf-8").splitlines())) > 400
    ]
    assert not big, f"modules over 400 lines, each should be split by concern: {big}"


def test_each_package_registers_its_own_commands() -> None:
    from importlib.metadata import entry_points

    from rag.cli import COMMAND_GROUP, _parser

    assert {ep.value for ep in entry_points(group=COMMAND_GROUP)} == {
        "rag.commands:register",
        "ui.commands:register",
        "eval.commands:register",
    }
    sub = next(a for a in _parser()._actions if a.dest == "command")
    assert set(sub.choices) == {  # type: ignore[arg-type]
        "index", "search", "ask", "docs", "remove", "models", "db", "migrate",  # rag
        "chat", "serve",  # ui
        "eval", "eval-squad", "bench", "judge-eval", "eval-diff",  # eval
    }  # fmt: skip


def test_importing_packages_loads_no_model_library() -> None:
    code = (
        "import sys, rag, index, ui, eval, rag.cli\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers', 'faiss', "
        "'bm25s', 'xllamacpp', 'gradio') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == ""
