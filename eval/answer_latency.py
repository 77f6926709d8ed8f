"""Answer timings on ten seed questions: ``python -m eval.answer_latency [--index DIR]``.

Loads the models once (reported separately), then asks each question in a fresh
conversation and prints time to first token and total time (p50 and max), with the
answer, its verdicts and whether it abstained. Figures for notes and docs, not a test.

It also prints when the first sentence had been checked: the earliest a UI that holds
each sentence until it is verified could show any text, against the first token that the
UI shows today as a marked, unchecked draft.
"""

from __future__ import annotations

import statistics
import time

from eval.common import open_indexed, script_parser
from rag import Answer, AnswerEvent, SentenceEvent
from rag.llamacpp import LlamaCppGenerator, cpu_kernels

QUESTIONS = [
    "Who recommended withdrawing Ukrainian forces from Bakhmut?",
    "How many inhabitants did Bakhmut have before the war?",
    "Wer sagte, dass sich russische Soldaten massenhaft ergeben?",
    "How many Ukrainian soldiers died on the first day of the counteroffensive near Bakhmut?",
    "Wie viele Gebäude kontrolliert die Ukraine noch in Bakhmut?",
    "What did Garry Kasparov call the reports of a ceasefire offer?",
    "Who is Anton Gerashenko?",
    "Was wird die Schlacht um Bakhmut genannt?",
    "How many tanks did Ukraine lose in Bakhmut?",
    "Who won the 2022 FIFA World Cup?",
]


def main(argv: list[str] | None = None) -> int:
    args = script_parser(__doc__).parse_args(argv)
    assistant = open_indexed(args.index)
    if assistant is None:
        return 2
    t0 = time.perf_counter()
    assistant.warm_up()
    print(
        f"model load and prompt cache: {time.perf_counter() - t0:.1f} s  "
        f"({assistant.generator.model_id})"
    )
    if isinstance(assistant.generator, LlamaCppGenerator):
        # the prebuilt wheel's AVX2 kernels prefill ~1.5x slower than an AVX-512 build
        print(f"llama.cpp kernels: {cpu_kernels()}")
    firsts, totals, checked = [], [], []
    for q in QUESTIONS:
        t0 = time.perf_counter()
        a: Answer | None = None
        first_checked = None
        for event in assistant.stream(q):
            if isinstance(event, SentenceEvent) and first_checked is None:
                first_checked = time.perf_counter() - t0
            elif isinstance(event, AnswerEvent):
                a = event.answer
        assert a is not None
        if first_checked is not None:
            checked.append(first_checked)
        t = a.timings
        if t.first_token is not None:
            firsts.append(t.first_token)
        totals.append(t.total)
        verdicts = "".join("✓" if s.verdict == "supported" else "✗" for s in a.sentences)
        state = f"abstained ({a.reason})" if a.abstained else f"answered {verdicts}"
        ttft = f"{t.first_token:5.1f}" if t.first_token is not None else "   — "
        print(
            f"ttft {ttft} s  total {t.total:5.1f} s  prompt {a.prompt_tokens:4d} tok  "
            f"{state}\n    stages: condense {t.condense:.1f} s, retrieval {t.retrieval:.1f} s, "
            f"generation {t.generation:.1f} s, verification {t.verification:.1f} s"
            f"\n    Q: {q}\n    A: {a.text}"
        )
    if firsts:
        print(
            f"time to first token: p50 {statistics.median(firsts):.1f} s, "
            f"max {max(firsts):.1f} s (n={len(firsts)})"
        )
    if checked:
        print(
            f"first sentence checked: p50 {statistics.median(checked):.1f} s, "
            f"max {max(checked):.1f} s (n={len(checked)})"
        )
    print(
        f"total: p50 {statistics.median(totals):.1f} s, max {max(totals):.1f} s (n={len(totals)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
