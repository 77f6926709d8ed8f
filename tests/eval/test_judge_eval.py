"""The support check's accuracy on the labelled pairs, with the real default judge."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.judge_eval import (
    Pair,
    Scored,
    calibrate,
    evaluate_judge,
    held_out,
    load_pairs,
    render,
    score_pairs,
    split_halves,
)
from rag.config import AnswerConfig
from rag.llamacpp import LlamaCppGenerator
from rag.verify import ModelJudge, RuleOnlyChecker
from tests.conftest import ROOT, SEEDS

PAIRS = SEEDS / "support_pairs.jsonl"
SQUAD_PAIRS = ROOT / "eval" / "data" / "squad_support_pairs.jsonl"
FALSE_PREMISE_PAIRS = ROOT / "eval" / "data" / "squad_false_premise_pairs.jsonl"


def test_pairs_file_is_valid_and_balanced() -> None:
    pairs = load_pairs(PAIRS)
    assert len(pairs) >= 80
    kinds = {p.kind for p in pairs}
    assert {"numeric", "contradiction", "cross-lingual", "unrelated"} <= kinds
    langs = {(p.claim_language, p.passage_language) for p in pairs}
    assert {("en", "en"), ("en", "de"), ("de", "en"), ("de", "de")} <= langs
    for p in pairs:  # every passage is quoted exactly from a seed article
        assert any(p.passage in f.read_text("utf-8") for f in SEEDS.glob("*.txt")), p.id


def test_squad_pairs_cover_the_kinds_and_both_labels_in_each_half() -> None:
    pairs = load_pairs(SQUAD_PAIRS)
    assert len(pairs) >= 150
    assert {"paraphrase", "short answer", "contradiction", "numeric", "swapped", "unrelated"} <= {
        p.kind for p in pairs
    }
    assert all(p.group for p in pairs)
    assert all(p.question for p in pairs if p.kind == "short answer")
    scored = [Scored(p, True, 0.5) for p in pairs]
    fit, held = split_halves(scored)
    assert 0.35 <= len(fit) / len(pairs) <= 0.65
    for half in (fit, held):
        assert {"supported", "unsupported"} == {s.pair.label for s in half}
    fit_groups = {s.pair.group for s in fit}
    assert not fit_groups & {s.pair.group for s in held}  # a passage's pairs stay together


def test_false_premise_pairs_leave_the_judge_to_decide() -> None:
    """Each claim repeats a premise the paragraph does not state, using only names and
    numbers the paragraph holds: the rule passes every one, so they measure the judge."""
    pairs = load_pairs(FALSE_PREMISE_PAIRS)
    paragraphs = {p.group: p.passage for p in load_pairs(SQUAD_PAIRS) if p.kind == "paraphrase"}
    assert len(pairs) >= 19
    for p in pairs:
        assert p.label == "unsupported" and p.kind == "false premise" and p.question, p.id
        assert paragraphs[p.group] == p.passage, p.id  # the same paragraph, the same half
    scored = score_pairs(pairs, RuleOnlyChecker())
    assert all(s.rule_ok for s in scored)


def _pair(i: int, label: str, group: str) -> Pair:
    return Pair(f"p{i}", "c", "en", "p", "en", label, "k", group=group)


def test_held_out_threshold_is_chosen_on_one_half_and_measured_on_the_other() -> None:
    # the fit half separates at 0.7; on the other half that threshold gets one pair wrong
    scored = []
    for i in range(40):
        supported = i % 2 == 0
        p_yes = 0.8 if supported else 0.6
        scored.append(
            Scored(_pair(i, "supported" if supported else "unsupported", f"g{i}"), True, p_yes)
        )
    fit, held = split_halves(scored)
    flipped = held[0]
    held_ids = {s.pair.id for s in held}
    wrong = Scored(flipped.pair, True, 0.65 if flipped.pair.label == "supported" else 0.75)
    scored = [wrong if s.pair.id == flipped.pair.id else s for s in scored]
    h = held_out(scored)
    assert h.fit_n == len(fit) and 0.6 < h.threshold <= 0.8
    assert h.fit_accuracy == 1.0
    assert h.overall.n == len(held_ids)
    assert h.overall.accuracy == pytest.approx((len(held_ids) - 1) / len(held_ids))
    assert "held-out all" in render(evaluate_judge(scored, "fake", 0.6, holdout=True))


def test_a_threshold_that_passes_false_claims_is_not_chosen_for_accuracy() -> None:
    # at 0.45 four more pairs are right (26 of 30 against 22), but 4 of the 18 claims it
    # passes are false (precision 0.78); at 0.7 all 6 it passes are true
    scored = [Scored(_pair(i, "supported", f"g{i}"), True, 0.7) for i in range(6)]
    scored += [Scored(_pair(i, "unsupported", f"g{i}"), True, 0.6) for i in range(6, 10)]
    scored += [Scored(_pair(i, "supported", f"g{i}"), True, 0.45) for i in range(10, 18)]
    scored += [Scored(_pair(i, "unsupported", f"g{i}"), True, 0.1) for i in range(18, 30)]
    assert calibrate(scored, min_precision=0.0) == (0.45, pytest.approx(26 / 30))
    assert calibrate(scored) == (0.7, pytest.approx(22 / 30))


def test_bad_pair_line_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "pairs.jsonl"
    bad.write_text('{"id": "x"}\n')
    with pytest.raises(ValueError, match=r"pairs.jsonl:1: bad pair"):
        load_pairs(bad)


def test_rule_alone_catches_every_numeric_near_miss() -> None:
    pairs = [p for p in load_pairs(PAIRS) if p.kind == "numeric"]
    report = evaluate_judge(score_pairs(pairs, RuleOnlyChecker()), "rule-only", 0.6)
    assert report.overall.accuracy == 1.0


@pytest.mark.integration
def test_default_judge_meets_the_accuracy_gate() -> None:
    cfg = AnswerConfig()
    judge = ModelJudge(LlamaCppGenerator(cfg.model, n_ctx=cfg.n_ctx, threads=cfg.threads))
    scored = score_pairs(load_pairs(PAIRS), judge, cfg.judge_window)
    report = evaluate_judge(scored, judge.name, cfg.judge_threshold)
    print(render(report))
    # measured 0.939 (precision 0.917, recall 0.943) when the threshold was calibrated
    assert report.overall.accuracy >= 0.90
    assert report.overall.precision is not None and report.overall.precision >= 0.88
    best, _acc = calibrate(scored)
    assert abs(best - cfg.judge_threshold) <= 0.1  # the configured threshold is still near best


@pytest.mark.integration
def test_default_judge_holds_on_text_it_was_not_tuned_on() -> None:
    """The threshold chosen on one half of all labelled pairs (seeds and SQuAD dev) holds
    on the other half. Measured: 0.591 chosen, held-out accuracy 0.913, precision 0.914,
    recall 0.898 (with answer.judge_window = 2: 0.598, 0.937, 0.932, 0.932); on an AMD EPYC
    (llama.cpp compiled for it) 0.602 chosen, 0.905, 0.912, 0.881, where the best accuracy
    without the precision floor (eval/judge_eval.py MIN_PRECISION) sat at 0.442 with held-out
    precision 0.851."""
    cfg = AnswerConfig()
    judge = ModelJudge(LlamaCppGenerator(cfg.model, n_ctx=cfg.n_ctx, threads=cfg.threads))
    scored = score_pairs(load_pairs(PAIRS) + load_pairs(SQUAD_PAIRS), judge, cfg.judge_window)
    report = evaluate_judge(scored, judge.name, cfg.judge_threshold, holdout=True)
    print(render(report))
    h = report.held_out
    assert h is not None and h.overall.accuracy >= 0.88
    assert h.overall.precision is not None and h.overall.precision >= 0.88
    assert abs(h.threshold - cfg.judge_threshold) <= 0.1
