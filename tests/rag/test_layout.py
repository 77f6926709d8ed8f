"""The answering model and the judge read a passage laid out alike: a record's lines kept."""

from __future__ import annotations

from index.text import laid_out
from rag.prompts import answer_messages, judge_messages, premise_messages
from rag.types import Evidence

RECORDS = (
    "What:   tunelp\nWhy:    parallel port printers are probably almost extinct devices\n\n"
    "--------------------------\n\n"
    "What:   line(1) command\nWhy:    use the read(1) command"
)


def test_each_prompt_shows_a_record_line_by_line() -> None:
    shown = laid_out(RECORDS)
    assert shown == (
        "What: tunelp\nWhy: parallel port printers are probably almost extinct devices "
        "-------------------------- What: line(1) command\nWhy: use the read(1) command"
    )
    e = Evidence(1, "doc", "Deprecated", "en", 0, len(RECORDS), RECORDS, (), 40)
    prompts = [
        answer_messages("Why was tunelp deprecated?", [e], "en")[-1]["content"],
        judge_messages("tunelp was deprecated.", RECORDS)[-1]["content"],
        premise_messages("Why was tunelp deprecated?", RECORDS)[-1]["content"],
    ]
    assert all(shown in p for p in prompts)
