"""Dataset validation, the runner and the reports, with fakes passed in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.dataset import DatasetError, Example, load_dataset
from eval.report import check_thresholds, parse_thresholds, write_report
from eval.runner import results_from_report, run_dataset, score
from rag import Assistant, Config
from rag.config import AnswerConfig, IndexConfig
from tests.conftest import SEEDS
from tests.fakes import HashEmbedder, KeywordChecker, ScriptedGenerator


def test_seed_qa_set_is_valid_and_covers_the_issue() -> None:
    examples = load_dataset(SEEDS / "qa.jsonl")
    assert len(examples) >= 50
    tags = [t for e in examples for t in e.tags]
    assert sum(1 for e in examples if not e.answerable) >= 12
    assert {"cross-lingual", "multi-document", "follow-up", "number", "attribution"} <= set(tags)
    # the coverage issue's floor: at least 8 follow-up and 8 two-document questions
    assert tags.count("follow-up") >= 8 and tags.count("multi-document") >= 8
    assert tags.count("injection") >= 6
    assert {e.language for e in examples} == {"en", "de"}
    names = {p.name for p in SEEDS.glob("*.txt")}
    assert all(set(e.gold_docs) <= names for e in examples)


def test_bad_lines_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "qa.jsonl"
    path.write_text(
        '{"id": "1", "question": "q", "language": "en", "answerable": true}\n'
        "not json\n"
        '{"id": "2", "question": "q", "language": "en", "answerable": false, "tags": ["x"]}\n'
        '{"id": "3", "question": "q", "language": "en", "answerable": false, "foo": 1}\n'
    )
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    problems = info.value.problems
    assert [p.split(":")[1] for p in problems] == ["1", "2", "3", "4"]
    assert "needs key_facts" in problems[0] and "unknown tags x" in problems[2]


def test_runner_scores_and_reports(tmp_path: Path, seeds_copy: Path) -> None:
    config = Config(index=IndexConfig(dir=tmp_path / "ix"), answer=AnswerConfig(min_relevance=0.2))
    gen = ScriptedGenerator("The documents do not say.")
    a = Assistant.open(
        config=config, embedder=HashEmbedder(), generator=gen, checker=KeywordChecker()
    )
    a.add([seeds_copy])
    examples = [e for e in load_dataset(SEEDS / "qa.jsonl") if e.id in ("a13", "u03", "f01")]
    results = run_dataset(a, examples)
    assert [r.example.id for r in results] == ["a13", "u03", "f01"]
    assert all(r.abstained for r in results)
    scores = score(results, a.checker, 0.6)
    s = scores["all"]
    assert s["abstention_recall"] == 1.0 and s["abstention_precision"] == pytest.approx(1 / 3)
    assert s["accuracy"] == pytest.approx(1 / 3) and s["answered_precision"] is None
    assert s["citation_recall"] is None  # nothing answered: undefined, not 0
    assert "tag:follow-up" in scores and "lang:en" in scores
    # the follow-up's history reached the condense step
    assert any(
        "Follow-up question: And how many were left" in m["content"]
        for r in gen.requests
        for m in r.messages
    )
    paths = write_report(
        tmp_path / "out", {"ours": scores}, {"ours": results}, {"dataset": "qa.jsonl"}
    )
    data = json.loads(paths[0].read_text())
    assert data["scores"]["ours"]["all"]["accuracy"] == pytest.approx(1 / 3)
    assert "| accuracy | 0.333 |" in paths[1].read_text()
    assert paths[2].read_bytes()[:4] == b"\x89PNG"
    assert check_thresholds(scores, {"accuracy": 0.3}) == []
    assert check_thresholds(scores, {"accuracy": 0.5}) == ["accuracy = 0.333, required ≥ 0.5"]
    assert "undefined" in check_thresholds(scores, {"citation_recall": 0.1})[0]


def test_threshold_parsing() -> None:
    assert parse_thresholds(["citation_recall=0.9", " mrr = 0.5"]) == {
        "citation_recall": 0.9,
        "mrr": 0.5,
    }
    with pytest.raises(ValueError, match="METRIC=VALUE"):
        parse_thresholds(["citation_recall"])


def test_stored_citations_keep_their_titles_and_old_reports_still_load() -> None:
    example = Example("a1", "Who built the castle?", "en", True, ("Curthose",), (("Curthose",),))
    row = {
        "example": {"id": "a1"},
        "answer": "Curthose built it. [1]",
        "abstained": False,
        "reason": "",
        "ranked_docs": ["n.txt"],
        "quotes_exact": [True],
        "cited_docs": ["n.txt"],
        "first_token": 1.0,
        "total": 2.0,
    }
    new = row | {"sentences": [["Curthose built it.", [["Robert Curthose", "en", "N"]], True]]}
    old = row | {"sentences": [["Curthose built it.", [["Robert Curthose", "en"]], True]]}
    got = results_from_report({"examples": {"new": [new], "old": [old]}}, [example])
    assert got["new"][0].sentences[0][1] == (("Robert Curthose", "en", "N"),)
    assert got["old"][0].sentences[0][1] == (("Robert Curthose", "en", ""),)
