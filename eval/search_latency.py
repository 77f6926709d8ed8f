"""Search latency over a fixed set of 20 seed questions: ``python -m eval.search_latency``.

Prints p50/p95/max in milliseconds for hybrid search with query embedding (first run of each
query, cache cold) and without it (vector given), after one warm-up query that loads the
model. Figures, not pass/fail: speed goals are read off this output.
"""

from __future__ import annotations

import statistics
import time

from eval.common import open_indexed, script_parser
from eval.metrics import percentile

QUERIES = [
    "Who recommended withdrawing Ukrainian forces from Bakhmut?",
    "How many inhabitants did Bakhmut have before the war?",
    "How many Ukrainian soldiers died on the first day of the counteroffensive near Bakhmut?",
    "Wer empfahl den Rückzug aus Bachmut?",
    "Wer sagte, dass sich russische Soldaten massenhaft ergeben?",
    "What share of Bakhmut is under Russian control?",
    "Wie viele Gebäude kontrolliert die Ukraine noch in Bakhmut?",
    "Who leads the Wagner group?",
    "In welchem Verhältnis töten die Ukrainer Russen laut einem Militärberater?",
    "What did Garry Kasparov call the reports of a ceasefire offer?",
    "Was wird die Schlacht um Bakhmut genannt?",
    "Who is Anton Gerashenko?",
    "What odds of getting out alive did a soldier give?",
    "How many soldiers were left in Boris's battalion a month later?",
    "Why does Zelensky want to keep Bakhmut?",
    "Welche Zeitung berichtete über den Streit zwischen Selenskyj und Saluschnyj?",
    "What is the ROA?",
    "Wann begann die Gegenoffensive?",
    "What did Colonel Oleksandr Shtupun say on Christmas Day?",
    "Wie viele Söldner der Gruppe Wagner sind gefallen?",
]


def main(argv: list[str] | None = None) -> int:
    p = script_parser(__doc__)
    p.add_argument("-k", type=int, default=5)
    args = p.parse_args(argv)
    assistant = open_indexed(args.index)
    if assistant is None:
        return 2
    t0 = time.perf_counter()
    assistant.search("warm-up query", k=args.k)
    load = time.perf_counter() - t0
    with_embed, without = [], []
    for q in QUERIES:
        t = time.perf_counter()
        assistant.search(q, k=args.k)
        with_embed.append((time.perf_counter() - t) * 1000)
        vec = assistant.index.embed_query(q)  # cached: the timing below excludes embedding
        t = time.perf_counter()
        assistant.index.search(q, k=args.k, query_vector=vec)
        without.append((time.perf_counter() - t) * 1000)
    chunks = assistant.index.count_chunks()
    print(f"index {args.index}: {len(assistant.documents())} documents, {chunks} chunks")
    print(f"model load + first query: {load:.2f} s")
    for label, xs in (("with query embedding", with_embed), ("without (vector given)", without)):
        p95 = percentile(xs, 0.95) or 0.0
        print(
            f"{label:24} p50 {statistics.median(xs):7.1f} ms  p95 {p95:7.1f} ms  "
            f"max {max(xs):7.1f} ms  (n={len(xs)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
