"""Long cited passages are judged window by window; short ones exactly as before."""

from __future__ import annotations

from eval.judging import WindowedChecker, windows

LONG = " ".join(f"Sentence number {i} says that {i * 7} soldiers were counted." for i in range(40))


class Recording:
    name = "recording"

    def __init__(self) -> None:
        self.passages: list[str] = []

    def support(self, claim: str, passage: str, question: str | None = None) -> float:
        self.passages.append(passage)
        return 0.9 if claim in passage else 0.2


def test_a_short_passage_is_one_window() -> None:
    assert windows("Bakhmut had 70,000 inhabitants.", 800) == ["Bakhmut had 70,000 inhabitants."]


def test_windows_are_whole_sentences_within_the_limit_and_cover_the_text() -> None:
    ws = windows(LONG, 300)
    assert len(ws) > 1
    assert all(len(w) <= 300 and w.endswith(".") and w in LONG for w in ws)
    assert ws[0].startswith("Sentence number 0 ") and ws[-1].endswith("273 soldiers were counted.")


def test_the_best_window_decides_and_the_name_is_the_judges() -> None:
    inner = Recording()
    judge = WindowedChecker(inner, max_chars=300)
    claim = "Sentence number 31 says that 217 soldiers were counted."
    assert judge.support(claim, LONG) == 0.9
    assert judge.name == "recording"
    assert all(len(p) <= 300 for p in inner.passages)
    assert judge.support("Nothing of the sort.", LONG) == 0.2


def test_short_passages_reach_the_judge_unchanged() -> None:
    inner = Recording()
    WindowedChecker(inner).support("x", "A short passage.")
    assert inner.passages == ["A short passage."]
