"""Run a QA dataset through an assistant and score it: claims → verdicts → ratios.

Each example is answered like a user's question (with its earlier turns, if any); the
result keeps what every metric needs, so scoring is a separate, explicit step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from eval.dataset import Example
from eval.judging import WindowedChecker
from eval.metrics import (
    abstention_scores,
    citation_scores,
    exact_match,
    key_facts_hit,
    mean,
    mrr,
    ndcg_at,
    percentile,
    recall_at,
    token_f1,
)
from index.types import Document
from rag import Answer, Timings, Turn
from rag.verify import SupportChecker, check_sentence

__all__ = [
    "ExampleResult",
    "Pipeline",
    "result_from_row",
    "result_row",
    "results_from_report",
    "run_dataset",
    "score",
]


class Pipeline(Protocol):
    """What the harness needs of a pipeline: ``rag.Assistant`` and the baseline both fit."""

    def ask(self, question: str, history: Sequence[Turn] | None = None) -> Answer: ...

    def document(self, doc_id: str) -> Document: ...


@dataclass(frozen=True)
class ExampleResult:
    example: Example
    answer: str
    abstained: bool
    reason: str
    ranked_docs: tuple[str, ...]  # file names of the hits' documents, best first, distinct
    # every sentence of the draft answer: (text, ((quote, language, document title), ...),
    # verified at answer time; always True for a pipeline that does not verify)
    sentences: tuple[tuple[str, tuple[tuple[str, str, str], ...], bool], ...]
    quotes_exact: tuple[bool, ...]  # per citation: quote == document.text[start:end]
    cited_docs: tuple[str, ...]
    first_token: float | None
    total: float
    # file names of the documents shown to the generator (empty for a pipeline that does
    # not say), and why each draft sentence failed ("" where it held): the abstention
    # causes in eval/causes.py read both
    evidence_docs: tuple[str, ...] = ()
    sentence_reasons: tuple[str, ...] = ()
    decline_probability: float | None = None  # the model's P(its first decline), if it declined
    # (file name, start, end) of each passage shown: "evidence miss: span" in eval/causes.py
    evidence_spans: tuple[tuple[str, int, int], ...] = ()
    second_draft: str = ""  # Answer.second_draft: "retry", "second look" or none
    # the judge's P(yes) of each draft sentence at answer time (0 where the rule failed
    # first): eval/verdicts.py reads whether a stricter threshold would cut right or wrong
    sentence_support: tuple[float, ...] = ()
    # the model's P(yes) of the quoted sentence when the answer is one quoted in place of a
    # decline (rag/quoting.py); a run at answer.quote_threshold 0 gives every threshold's
    # outcome (python -m eval.retry_sweep --quote)
    quote_score: float | None = None
    # the words the model copied when the quote came from the copy fallback (rag/copying.py);
    # such a quote has no quote_score: its sentence was not rated
    copied: str = ""
    premise_score: float | None = None  # Answer.premise_score (rag/premise.py)

    @property
    def correct(self) -> bool:
        if not self.example.answerable:
            return self.abstained
        return not self.abstained and key_facts_hit(self.answer, self.example.key_facts)


def _history(example: Example) -> list[Turn]:
    turns = []
    for q, a in example.history:
        answer = Answer(q, q, example.language, a, (), (), False, "", (), (), Timings())
        turns.append(Turn(q, answer))
    return turns


def _result(assistant: Pipeline, example: Example, answer: Answer) -> ExampleResult:
    sources: dict[str, str] = {}

    def name(doc_id: str) -> str:
        if doc_id not in sources:
            sources[doc_id] = Path(assistant.document(doc_id).source).name
        return sources[doc_id]

    ranked: list[str] = []
    for h in answer.hits:
        if name(h.chunk.doc_id) not in ranked:
            ranked.append(name(h.chunk.doc_id))
    by_number = {c.number: c for c in answer.citations}
    sentences = tuple(
        (
            s.text,
            tuple(
                (by_number[n].quote, by_number[n].language, by_number[n].title)
                for n in s.citations
                if n in by_number
            ),
            s.verdict == "supported",
        )
        for s in answer.sentences
    )
    exact = tuple(
        assistant.document(c.doc_id).text[c.start : c.end] == c.quote for c in answer.citations
    )
    return ExampleResult(
        example=example,
        answer=answer.text,
        abstained=answer.abstained,
        reason=answer.reason,
        ranked_docs=tuple(ranked),
        sentences=sentences,
        quotes_exact=exact,
        cited_docs=tuple(name(c.doc_id) for c in answer.citations),
        first_token=answer.timings.first_token,
        total=answer.timings.total,
        evidence_docs=tuple(dict.fromkeys(name(e.doc_id) for e in answer.evidence)),
        sentence_reasons=tuple(
            "" if s.verdict == "supported" else s.reason for s in answer.sentences
        ),
        decline_probability=answer.decline_probability,
        evidence_spans=tuple((name(e.doc_id), e.start, e.end) for e in answer.evidence),
        second_draft=answer.second_draft,
        # only a pipeline with a judge has scores; the baseline's sentences carry a 1.0
        sentence_support=(
            tuple(s.support for s in answer.sentences) if "judge" in answer.models else ()
        ),
        quote_score=next((s.support for s in answer.sentences if s.quoted and not s.copied), None),
        copied=next((s.copied for s in answer.sentences if s.copied), ""),
        premise_score=answer.premise_score,
    )


def _cited(row: Sequence[str]) -> tuple[str, str, str]:
    """(quote, language, title) of a stored citation; reports written before titles were
    kept hold (quote, language)."""
    return (row[0], row[1], row[2] if len(row) > 2 else "")


def result_from_row(row: dict[str, Any], example: Example) -> ExampleResult:
    """One answer as ``report.json`` and the run journal (eval/journal.py) store it."""
    return ExampleResult(
        example=example,
        answer=row["answer"],
        abstained=row["abstained"],
        reason=row["reason"],
        ranked_docs=tuple(row["ranked_docs"]),
        sentences=tuple(
            (t, tuple(_cited(c) for c in cited), bool(ok)) for t, cited, ok in row["sentences"]
        ),
        quotes_exact=tuple(row["quotes_exact"]),
        cited_docs=tuple(row["cited_docs"]),
        first_token=row["first_token"],
        total=row["total"],
        evidence_docs=tuple(row.get("evidence_docs", ())),
        sentence_reasons=tuple(row.get("sentence_reasons", ())),
        decline_probability=row.get("decline_probability"),
        evidence_spans=tuple((str(d), int(a), int(b)) for d, a, b in row.get("evidence_spans", ())),
        second_draft=str(row.get("second_draft", "")),
        sentence_support=tuple(float(p) for p in row.get("sentence_support", ())),
        quote_score=row.get("quote_score"),
        copied=str(row.get("copied", "")),
        premise_score=row.get("premise_score"),
    )


def result_row(result: ExampleResult) -> dict[str, Any]:
    """What ``result_from_row`` reads back (plus ``correct``, for a reader of the file)."""
    return asdict(result) | {"correct": result.correct}


def results_from_report(
    data: dict[str, Any], examples: Sequence[Example]
) -> dict[str, list[ExampleResult]]:
    """The answers stored in a ``report.json``, per pipeline, matched to ``examples`` by id,
    so that they can be scored again (by a changed judge) without answering again."""
    by_id = {e.id: e for e in examples}
    out: dict[str, list[ExampleResult]] = {}
    for pipeline, rows in data["examples"].items():
        results = []
        for row in rows:
            ex_id = row["example"]["id"]
            if ex_id not in by_id:
                raise ValueError(f"the report answers {ex_id!r}, which the dataset does not hold")
            results.append(result_from_row(row, by_id[ex_id]))
        out[pipeline] = results
    return out


def run_dataset(
    assistant: Pipeline,
    examples: Sequence[Example],
    on_result: Callable[[ExampleResult], None] | None = None,
) -> list[ExampleResult]:
    results = []
    for ex in examples:
        answer = assistant.ask(ex.question, history=_history(ex) or None)
        result = _result(assistant, ex, answer)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _supports(checker: SupportChecker, threshold: float, question: str, lang: str) -> Any:
    judge = WindowedChecker(checker)  # long citation chunks are judged window by window

    def supports(text: str, cited: Sequence[tuple[str, str, str]]) -> bool:
        # a name in the cited document's title counts, as at answer time with
        # answer.verify_titles: the reader sees the title beside the quote
        return check_sentence(
            text,
            lang,
            [(q, qlang) for q, qlang, _ in cited],
            judge,
            threshold=threshold,
            question=question,
            titles=[title for _, _, title in cited],
        ).supported

    return supports


def _group_scores(
    results: Sequence[ExampleResult], checker: SupportChecker, threshold: float, k: int
) -> dict[str, float | None]:
    answerable = [r for r in results if r.example.answerable]
    answered = [r for r in results if not r.abstained]
    kept: list[float] = []
    recalls: list[float | None] = []
    precisions: list[float | None] = []
    # Scored on the draft: every sentence the model wrote, with the citations it ended up
    # with, including sentences the assistant then removed. The visible answer holds only
    # verified sentences, so scoring it alone would give 1.0 by construction.
    for r in results:
        sup = _supports(checker, threshold, r.example.question, r.example.language)
        rec, prec = citation_scores([(t, c) for t, c, _ok in r.sentences], sup)
        recalls.append(rec)
        precisions.append(prec)
        # judged here, not taken from the answer-time flag, so that a pipeline without
        # verification is scored by the same judge; a sentence without citations fails
        kept.extend(float(bool(c) and sup(t, c)) for t, c, _ok in r.sentences)
    abst = abstention_scores(
        [not r.example.answerable for r in results], [r.abstained for r in results]
    )
    firsts = [r.first_token for r in results if r.first_token is not None]
    totals = [r.total for r in results]
    exact = [e for r in results for e in r.quotes_exact]
    return {
        "n": float(len(results)),
        f"recall@{k}": mean([recall_at(r.ranked_docs, r.example.gold_docs, k) for r in results]),
        "mrr": mean([mrr(r.ranked_docs, r.example.gold_docs) for r in results]),
        "ndcg@10": mean([ndcg_at(r.ranked_docs, r.example.gold_docs) for r in results]),
        "key_fact_accuracy": mean(
            [float(key_facts_hit(r.answer, r.example.key_facts)) for r in answerable]
        )
        if answerable
        else None,
        "exact_match": mean([exact_match(r.answer, r.example.answers) for r in answerable]),
        "token_f1": mean([token_f1(r.answer, r.example.answers) for r in answerable]),
        "citation_recall": mean(recalls),
        "citation_precision": mean(precisions),
        "faithfulness": mean(kept),  # draft sentences supported / all draft sentences
        "quote_exact": mean([float(e) for e in exact]),
        "abstention_precision": abst["precision"],
        "abstention_recall": abst["recall"],
        "abstention_f1": abst["f1"],
        "answered_precision": mean([float(r.correct) for r in answered]) if answered else None,
        "accuracy": mean([float(r.correct) for r in results]),
        "ttft_p50": percentile(firsts, 0.5),
        "ttft_p95": percentile(firsts, 0.95),
        "total_p50": percentile(totals, 0.5),
        "total_p95": percentile(totals, 0.95),
    }


def score(
    results: Sequence[ExampleResult], checker: SupportChecker, threshold: float, k: int = 5
) -> dict[str, dict[str, float | None]]:
    """Metrics for all results, then per language ("lang:de") and per tag ("tag:number")."""
    groups: dict[str, list[ExampleResult]] = defaultdict(list)
    for r in results:
        groups["all"].append(r)
        groups[f"lang:{r.example.language}"].append(r)
        for t in r.example.tags:
            groups[f"tag:{t}"].append(r)
        if not r.example.tags:
            groups["tag:(none)"].append(r)
    return {name: _group_scores(rs, checker, threshold, k) for name, rs in sorted(groups.items())}
