"""The run journal: answers survive an interruption, and only a matching run resumes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.compare import evaluate
from eval.dataset import load_dataset
from eval.journal import Journal, JournalError, fingerprint, source_hash
from eval.report import write_report
from tests.conftest import SEEDS
from tests.fakes import ScriptedGenerator, fake_assistant

IDS = ("a01", "a02", "a03")


def _run(threshold: float = 0.6) -> dict[str, object]:
    examples = [e for e in load_dataset(SEEDS / "qa.jsonl") if e.id in IDS]
    return fingerprint("seeds", examples, {"answer": {"judge_threshold": threshold}}, {}, "c0")


def test_an_interrupted_run_resumes_without_asking_again(tmp_path: Path, seeds_copy: Path) -> None:
    examples = [e for e in load_dataset(SEEDS / "qa.jsonl") if e.id in IDS]
    out = tmp_path / "report"
    gen = ScriptedGenerator("Zaluzhny recommended it [1].")
    a = fake_assistant(tmp_path, seeds_copy, gen)
    journal = Journal.open(out, _run(), resume=False)
    evaluate(a, examples[:2], journal=journal)  # the run stops after two questions
    journal.close()
    asked = len(gen.requests)
    assert {r.question for r in gen.requests} == {e.question for e in examples[:2]}

    journal = Journal.open(out, _run(), resume=True)
    assert sorted(journal.finished("ours", examples)) == ["a01", "a02"]
    ev = evaluate(a, examples, journal=journal)
    journal.close()
    # only the third question was answered again, and the report holds all three in order
    assert {r.question for r in gen.requests[asked:]} == {examples[2].question}
    assert [r.example.id for r in ev.results["ours"]] == [e.id for e in examples]
    assert ev.meta["resumed_from_journal"] == {"ours": 2}
    lines = (out / "answers.jsonl").read_text().splitlines()
    assert len(lines) == 1 + 3  # the fingerprint, then one line per answer
    # the report of a resumed run says so (this count once broke writing report.md)
    write_report(out, ev.scores, ev.results, ev.meta)
    assert "- resumed_from_journal: {'ours': 2}" in (out / "report.md").read_text()


def test_a_stored_answer_reads_back_equal(tmp_path: Path, seeds_copy: Path) -> None:
    examples = [e for e in load_dataset(SEEDS / "qa.jsonl") if e.id in IDS]
    a = fake_assistant(tmp_path, seeds_copy, ScriptedGenerator("Zaluzhny recommended it [1]."))
    journal = Journal.open(tmp_path / "r", _run(), resume=False)
    ev = evaluate(a, examples, journal=journal)
    journal.close()
    back = Journal.open(tmp_path / "r", _run(), resume=True).finished("ours", examples)
    assert [back[e.id] for e in examples] == ev.results["ours"]


def test_a_different_run_is_refused_naming_what_changed(tmp_path: Path) -> None:
    Journal.open(tmp_path, _run(0.6), resume=False).close()
    with pytest.raises(JournalError) as info:
        Journal.open(tmp_path, _run(0.5), resume=True)
    message = str(info.value)
    assert "answers.jsonl" in message and "answer.judge_threshold (0.6 then, 0.5 now)" in message
    assert "leave out --resume" in message


def test_resume_without_a_journal_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="nothing to resume; fix: give the --out"):
        Journal.open(tmp_path / "nowhere", _run(), resume=True)


def test_a_line_cut_short_is_skipped_and_the_next_begins_anew(
    tmp_path: Path, seeds_copy: Path
) -> None:
    examples = [e for e in load_dataset(SEEDS / "qa.jsonl") if e.id in IDS]
    a = fake_assistant(tmp_path, seeds_copy, ScriptedGenerator("Zaluzhny recommended it [1]."))
    journal = Journal.open(tmp_path / "r", _run(), resume=False)
    evaluate(a, examples[:1], journal=journal)
    journal.close()
    path = tmp_path / "r" / "answers.jsonl"
    with path.open("a") as fh:
        fh.write('{"pipeline": "ours", "row": {"exam')  # killed while writing
    journal = Journal.open(tmp_path / "r", _run(), resume=True)
    assert list(journal.finished("ours", examples)) == ["a01"]
    evaluate(a, examples[:2], journal=journal)
    journal.close()
    lines = path.read_text().splitlines()[1:]
    assert lines[1] == '{"pipeline": "ours", "row": {"exam'  # left as it was, on its own line
    ids = [json.loads(line)["row"]["example"]["id"] for line in lines[:1] + lines[2:]]
    assert ids == ["a01", "a02"]


def test_beginning_anew_keeps_the_earlier_journal(tmp_path: Path) -> None:
    Journal.open(tmp_path, _run(0.6), resume=False).close()
    Journal.open(tmp_path, _run(0.5), resume=False).close()
    prev = json.loads((tmp_path / "answers.prev.jsonl").read_text().splitlines()[0])
    now = json.loads((tmp_path / "answers.jsonl").read_text().splitlines()[0])
    assert prev["run"]["config"]["answer"]["judge_threshold"] == 0.6
    assert now["run"]["config"]["answer"]["judge_threshold"] == 0.5


def test_the_source_hash_follows_the_code(tmp_path: Path) -> None:
    assert source_hash() == source_hash()
    assert source_hash(("index",)) != source_hash(("index", "rag"))
