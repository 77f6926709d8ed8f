"""The CI gate: the seed QA set through the default pipeline must meet eval.gate.SEED_GATE,
and a generator that cites the wrong passages must fail it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eval.dataset import load_dataset
from eval.gate import SEED_GATE, as_cli_args
from eval.report import check_thresholds
from eval.runner import run_dataset, score
from rag import Assistant, Config
from rag.cli import main
from rag.components import make_checker
from rag.config import AnswerConfig, IndexConfig
from rag.generators import GenerationRequest
from tests.conftest import SEEDS

pytestmark = pytest.mark.integration


def test_seed_set_meets_the_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["eval", str(SEEDS / "qa.jsonl"), "--out", str(tmp_path / "report"), *as_cli_args()])
    out, err = capsys.readouterr()
    print(out)
    assert rc == 0, err
    assert (tmp_path / "report" / "report.md").exists()


class WrongCitations:
    """Answers with a sentence of the lowest-ranked passage, cited as [1]: a fact taken from
    the wrong place and attributed to the wrong passage."""

    model_id = "wrong-citations"

    def stream(
        self, request: GenerationRequest, stop: threading.Event | None = None
    ) -> Iterator[str]:
        if not request.evidence:
            yield "Irrelevant."
            return
        last = request.evidence[-1]
        first = last.sentences[0]
        yield " ".join(last.text[first.start - last.start : first.end - last.start].split())
        yield " [1]."


def test_a_generator_citing_wrong_passages_fails_the_gate(
    tmp_path: Path, real_embedder: Any
) -> None:
    a = Assistant.open(
        config=Config(index=IndexConfig(dir=tmp_path / "ix")),
        embedder=real_embedder,
        generator=WrongCitations(),
        # the judge stays the default model judge: the gate must see through the citations
        checker=make_checker(AnswerConfig(), _default_llm()),
    )
    a.add([SEEDS])
    examples = [e for e in load_dataset(SEEDS / "qa.jsonl") if e.answerable][:10]
    scores = score(run_dataset(a, examples), a.checker, a.config.answer.judge_threshold)
    failures = check_thresholds(scores, SEED_GATE)
    assert any(f.startswith(("key_fact_accuracy", "accuracy")) for f in failures), failures


def _default_llm() -> Any:
    from rag.llamacpp import LlamaCppGenerator

    cfg = Config().answer
    return LlamaCppGenerator(cfg.model, n_ctx=cfg.n_ctx, threads=cfg.threads)
