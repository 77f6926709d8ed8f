"""CLI behaviour that needs no model: argument mistakes end in one line and exit code 2."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest

from rag.cli import main


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_an_empty_question_is_an_error_not_a_conversation(
    question: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_prompt(_prompt: str = "") -> str:
        raise AssertionError("the interactive conversation was started")

    monkeypatch.setattr(builtins, "input", no_prompt)
    rc = main(["--index", str(tmp_path / "ix"), "ask", question])
    out, err = capsys.readouterr()
    assert rc == 2 and out == ""
    assert err.strip() == (
        'error: the question is empty; give one (rag ask "QUESTION"), or none for a chat'
    )


def _rag(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    rc = main(list(argv))
    _out, err = capsys.readouterr()
    return rc, err.strip()


def test_index_pointing_at_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("not an index")
    rc, err = _rag(capsys, "--index", str(f), "docs")
    assert rc == 2 and err == (
        f"error: {f} is a file, not an index folder; name a folder with --index "
        "(it is created when missing)"
    )
    assert f.read_text() == "not an index"


def test_a_toml_syntax_error_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "rag.toml"
    bad.write_text("[answer\nmax_tokens = 100\n")
    rc, err = _rag(capsys, "--config", str(bad), "--index", str(tmp_path / "ix"), "docs")
    assert rc == 2 and err.startswith(f"error: {bad} is not valid TOML (")
    assert err.endswith("fix that line") and "\n" not in err


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_store_is_one_line_naming_the_recovery(
    damage: str, tmp_path: Path, seeds_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from index.catalog import ChunkingOptions, Index
    from tests.fakes import HashEmbedder

    root = tmp_path / "ix"
    Index(root, HashEmbedder(), ChunkingOptions(120, 20)).add([seeds_copy])
    store = root / (root / "CURRENT").read_text().strip() / "store.sqlite"
    data = store.read_bytes()
    store.write_bytes(b"garbage" if damage == "garbage" else data[: len(data) // 3])
    rc, err = _rag(capsys, "--index", str(root), "docs")
    assert rc == 2 and err.startswith(f"error: {store} cannot be read (")
    assert err.endswith("rebuild it: rag index --rebuild PATH...") and "\n" not in err
