from __future__ import annotations

from pathlib import Path

from rag.prompts import Message
from rag.verify import ModelJudge, RuleOnlyChecker, check_sentence


class CountingModel:
    model_id = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def yes_probability(self, messages: list[Message]) -> float:
        self.calls += 1
        return 0.8 if "70.000" in messages[-1]["content"] else 0.1


def test_verdicts_are_cached_on_disk_across_judges(tmp_path: Path) -> None:
    cache = tmp_path / "verdicts.jsonl"
    model = CountingModel()
    judge = ModelJudge(model, cache_file=cache)
    assert judge.support("Bakhmut had 70,000 people.", "70.000 Einwohner") == 0.8
    assert judge.support("Bakhmut had 70,000 people.", "70.000 Einwohner") == 0.8
    assert model.calls == 1
    again = ModelJudge(model, cache_file=cache)  # a new process reads the file back
    assert again.support("Bakhmut had 70,000 people.", "70.000 Einwohner") == 0.8
    assert model.calls == 1
    assert again.support("Other claim.", "70.000 Einwohner", question="q") == 0.8
    assert model.calls == 2
    cache.write_text(cache.read_text() + '{"key": "cut sh')  # a line cut by a crash
    assert (
        ModelJudge(model, cache_file=cache).support(
            "Other claim.", "70.000 Einwohner", question="q"
        )
        == 0.8
    )
    assert model.calls == 2


def test_check_sentence_order_rule_then_judge() -> None:
    model = CountingModel()
    judge = ModelJudge(model)
    bad = check_sentence(
        "There were 17 people.", "en", [("There were 1,700 people.", "en")], judge, threshold=0.6
    )
    assert not bad.supported and "17" in bad.reason and model.calls == 0
    none = check_sentence("Anything.", "en", [], judge, threshold=0.6)
    assert none.reason == "no citation"
    ok = check_sentence(
        "Es waren 70.000.", "de", [("70.000 Einwohner", "de")], RuleOnlyChecker(), threshold=0.6
    )
    assert ok.supported and ok.score == 1.0
