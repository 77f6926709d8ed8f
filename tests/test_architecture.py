"""Package boundaries from DESIGN.md, checked on the source; and imports stay cheap."""

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
    for path in (ROOT / package).rglob("*.py"):
        for imported, at_top in _imports(path):
            if imported not in OURS or imported == package:
                continue
            lazy_in_cli = path == ROOT / "rag" / "cli.py" and imported in ("ui", "eval")
            assert imported in ALLOWED[package] or (lazy_in_cli and not at_top), (
                f"{path.relative_to(ROOT)} imports {imported}"
            )


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
