"""The LlamaIndex baseline as the harness runs it, with fakes passed in; and its parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.baseline import LlamaIndexBaseline, _bracket_sources, looks_like_abstention
from eval.compare import corpus_paths, evaluate, rescore
from eval.dataset import Example, load_dataset
from eval.report import write_report
from rag import Assistant, Config
from rag.config import IndexConfig
from tests.conftest import SEEDS
from tests.fakes import HashEmbedder, KeywordChecker, ScriptedGenerator


@pytest.mark.parametrize(
    ("text", "abstains"),
    [
        ("The context does not mention tanks.", True),
        ("The number of tanks is not mentioned in the provided sources.", True),
        ("I cannot answer this from the sources.", True),
        ("Der Kontext enthält keine Angaben dazu.", True),
        ("", True),
        # a quoted source sentence about missing information is still an answer
        ("Both sides do not provide any information about their own losses [1].", False),
        ("Zaluzhny recommended the withdrawal [1].", False),
    ],
)
def test_abstention_is_read_from_the_wording(text: str, abstains: bool) -> None:
    assert looks_like_abstention(text) is abstains


@pytest.mark.parametrize(
    ("text", "rewritten"),
    [
        ("According to Source 1, Zaluzhny advised it.", "[1] Zaluzhny advised it."),
        ("Source 2: 70,000 lived there.", "[2] 70,000 lived there."),
        ("99% is taken. [Source 1, Source 2]", "99% is taken. [1, 2]"),
        ("It was Wagner (Sources 1 and 3).", "It was Wagner [1, 3]."),
        ("Laut Quelle 2 sind es 150.", "[2] sind es 150."),
        ("According to Telegram sources and Bild, it fell.", None),
        ("According to Source 4, 150 soldiers died.", "[4] 150 soldiers died."),
        ("Sources 1 and 2 say 99%, Source 3 says 70%.", "[1, 2] say 99%, [3] says 70%."),
        ("Source 1, Source 2: it fell.", "[1, 2] it fell."),
    ],
)
def test_source_mentions_become_markers(text: str, rewritten: str | None) -> None:
    assert _bracket_sources(text) == (rewritten or text)


def _baseline(reply: str, seeds_copy: Path) -> LlamaIndexBaseline:
    base = LlamaIndexBaseline(HashEmbedder(), ScriptedGenerator(reply))
    assert base.add([seeds_copy]) > 0
    return base


def test_baseline_citations_resolve_to_spans_of_our_documents(seeds_copy: Path) -> None:
    base = _baseline(
        "According to Source 1, Zaluzhny recommended it. He is a general [2].", seeds_copy
    )
    answer = base.ask("Who recommended withdrawing Ukrainian forces from Bakhmut?")
    assert not answer.abstained
    # "Source 1" in the prose counts as a citation, as a reader would take it
    assert [s.citations for s in answer.sentences] == [(1,), (2,)]
    assert [c.number for c in answer.citations] == [1, 2]
    for c in answer.citations:
        assert base.document(c.doc_id).text[c.start : c.end] == c.quote
    assert answer.timings.first_token is not None and answer.timings.total > 0
    # LlamaIndex's default top 2 passages, cut into 512-token citation chunks
    assert len({h.chunk.doc_id for h in answer.hits}) <= 2 <= len(answer.hits)
    assert not answer.hits[0].chunk.text.startswith("Source 1:")


def _ours(reply: str, tmp_path: Path, seeds_copy: Path) -> Assistant:
    """Our pipeline over the seeds with fakes: hash vectors, one scripted reply, keyword judge."""
    a = Assistant.open(
        config=Config(index=IndexConfig(dir=tmp_path / "ix")),
        embedder=HashEmbedder(),
        generator=ScriptedGenerator(reply),
        checker=KeywordChecker(),
    )
    a.add([seeds_copy])
    return a


def test_both_pipelines_are_scored_by_the_same_judge(tmp_path: Path, seeds_copy: Path) -> None:
    a = _ours("The documents do not say.", tmp_path, seeds_copy)
    base = _baseline("The context does not say.", seeds_copy)
    examples = [e for e in load_dataset(SEEDS / "qa.jsonl") if e.id in ("a01", "u01")]
    ev = evaluate(a, examples, base)
    assert set(ev.scores) == {"ours", "llamaindex"}
    assert [r.abstained for r in ev.results["llamaindex"]] == [True, True]
    assert ev.scores["llamaindex"]["all"]["abstention_recall"] == 1.0
    assert ev.meta["judge"] == "keyword-checker" and "default settings" in ev.meta["baseline"]


def test_a_report_is_scored_again_without_answering(tmp_path: Path, seeds_copy: Path) -> None:
    a = _ours("Zaluzhny recommended it [1].", tmp_path, seeds_copy)
    base = _baseline("According to Source 1, Zaluzhny recommended it.", seeds_copy)
    examples = [e for e in load_dataset(SEEDS / "qa.jsonl") if e.id in ("a01", "u01")]
    ev = evaluate(a, examples, base)
    write_report(tmp_path / "r", ev.scores, ev.results, ev.meta)
    again = rescore(a, tmp_path / "r" / "report.json", examples)
    assert again.results == ev.results
    assert again.scores == ev.scores
    assert "scored again by keyword-checker" in again.meta["rescored"]
    with pytest.raises(ValueError, match="'u01', which the dataset does not hold"):
        rescore(a, tmp_path / "r" / "report.json", examples[:1])


def test_extra_documents_of_a_dataset_are_found_or_named(tmp_path: Path) -> None:
    examples = load_dataset(SEEDS / "qa.jsonl")
    paths = corpus_paths(SEEDS, SEEDS / "qa.jsonl", examples)
    assert paths[0] == SEEDS and [p.name for p in paths[1:]] == ["injection.md", "injection_de.md"]
    bad = Example("x1", "q", "en", False, documents=("nowhere.md",))
    with pytest.raises(FileNotFoundError, match=r"x1 names nowhere\.md"):
        corpus_paths(SEEDS, tmp_path / "qa.jsonl", [bad])
