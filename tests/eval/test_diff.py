"""rag eval-diff: two report.json files compared, without any model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval.diff import ReportError, diff_reports, load_report, render
from rag.cli import main


def _row(qid: str, correct: bool, abstained: bool, answer: str) -> dict[str, Any]:
    example = {"id": qid, "question": f"question {qid}?", "answerable": qid != "u1"}
    return {"example": example, "correct": correct, "abstained": abstained, "answer": answer}


def _report(accuracy: float, rows: list[dict[str, Any]], declined_judge: int) -> dict[str, Any]:
    return {
        "meta": {"dataset": "qa.jsonl", "generator": "g", "judge": "j"},
        "scores": {
            "ours": {
                "all": {"n": float(len(rows)), "accuracy": accuracy, "ttft_p50": 7.0},
                "lang:de": {"n": 1.0, "accuracy": 1.0},
            }
        },
        "abstention_causes": {
            "ours": {
                "all": {
                    "declined": declined_judge,
                    "verification: judge": declined_judge,
                    "relevance gate": 0,
                }
            }
        },
        "examples": {"ours": rows},
    }


BEFORE = _report(
    0.5,
    [
        _row("a1", False, True, "The documents do not say."),
        _row("a2", True, False, "Zaluzhny recommended it [1]."),
        _row("a3", True, False, "70,000 people [1]."),
        _row("u1", True, True, "The documents do not say."),
        _row("gone", True, False, "only in the first run"),
    ],
    declined_judge=1,
)
AFTER = _report(
    0.75,
    [
        _row("a1", True, False, "1,700 soldiers [1]."),
        _row("a2", False, False, "Zelensky recommended it [1]."),
        _row("a3", True, False, "70,000 people lived there [1]."),  # same outcome
        _row("u1", True, True, "The documents do not say."),
    ],
    declined_judge=0,
)


def test_metrics_causes_and_changed_questions_are_compared() -> None:
    d = diff_reports(BEFORE, AFTER)
    assert ("all", "accuracy", 0.5, 0.75) in d.metrics
    assert ("all", "ttft_p50", 7.0, 7.0) in d.metrics
    assert not any(g == "lang:de" for g, *_ in d.metrics)  # only the groups asked for
    assert ("verification: judge", 1, 0) in d.causes
    assert all(c != "relevance gate" for c, _, _ in d.causes)  # zero in both runs
    # newly right first, then newly wrong; an answer that only changed words is not listed
    assert [(b.id, b.label, a.label) for b, a in d.changed] == [
        ("a1", "wrong, declined", "right"),
        ("a2", "right", "wrong"),
    ]
    assert d.counts() == (1, 1)
    assert d.only_before == ["gone"] and d.only_after == []
    assert d.meta == []


def test_the_rendered_comparison_shows_figures_and_answers() -> None:
    text = render(diff_reports(BEFORE, AFTER, groups=["all", "lang:de"]), "b", "a")
    assert "| all | accuracy | 0.500 | 0.750 | +0.250 |" in text
    assert "| all | n | 5 | 4 | -1 |" in text
    assert "| lang:de | accuracy | 1.000 | 1.000 | +0.000 |" in text
    assert "2 questions changed: 1 turned right, 1 turned wrong." in text
    assert "| a2 | right | wrong | question a2? | Zaluzhny recommended it [1]. | Zelensky" in text
    assert "Questions in one run only: 1 before, 0 after" in text


def test_runs_with_other_models_are_flagged() -> None:
    after = {**AFTER, "meta": {**AFTER["meta"], "generator": "other"}}
    d = diff_reports(BEFORE, after)
    assert d.meta == [("generator", "g", "other")]
    assert "- generator: g -> other" in render(d, "b", "a")


def test_a_missing_pipeline_names_those_the_report_holds() -> None:
    with pytest.raises(
        ReportError,
        match=r"BEFORE report holds no pipeline 'llamaindex' \(it holds: ours\); choose one",
    ):
        diff_reports(BEFORE, AFTER, pipeline="llamaindex")


def test_an_unknown_group_names_those_there_are() -> None:
    with pytest.raises(
        ReportError, match=r"no metric group tag:typo in either report \(groups: all, lang:de\)"
    ):
        diff_reports(BEFORE, AFTER, groups=["all", "tag:typo"])


def test_reports_are_read_from_a_file_or_an_eval_folder(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(json.dumps(BEFORE), "utf-8")
    assert load_report(tmp_path) == BEFORE
    assert load_report(tmp_path / "report.json") == BEFORE
    with pytest.raises(
        ReportError, match=r"nowhere: no report.json there; `rag eval DATASET --out DIR`"
    ):
        load_report(tmp_path / "nowhere")
    (tmp_path / "bad.json").write_text("{not json", "utf-8")
    with pytest.raises(ReportError, match=r"bad.json: not a report.json"):
        load_report(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"a": 1}', "utf-8")
    with pytest.raises(ReportError, match=r"other.json: holds no scores"):
        load_report(tmp_path / "other.json")


def test_the_command_prints_and_writes_the_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "before").mkdir()
    (tmp_path / "before" / "report.json").write_text(json.dumps(BEFORE), "utf-8")
    (tmp_path / "after.json").write_text(json.dumps(AFTER), "utf-8")
    out_file = tmp_path / "diff.md"
    rc = main(["eval-diff", str(tmp_path / "before"), str(tmp_path / "after.json"),
               "--out", str(out_file)])  # fmt: skip
    printed, err = capsys.readouterr()
    assert rc == 0 and err == ""
    assert "| all | accuracy | 0.500 | 0.750 | +0.250 |" in printed
    assert out_file.read_text("utf-8") == printed
    rc = main(["eval-diff", str(tmp_path / "before"), str(tmp_path / "missing")])
    printed, err = capsys.readouterr()
    assert rc == 2 and printed == ""
    assert err.startswith("error: ") and "missing: no report.json there" in err
