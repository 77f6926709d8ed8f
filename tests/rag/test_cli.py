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
