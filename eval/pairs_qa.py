"""A small QA set on text nobody here wrote, built from the labelled SQuAD support pairs.

``eval/data/squad_support_pairs.jsonl`` holds, for 40 SQuAD v1.1 dev paragraphs (40
articles, outside the ``rag eval-squad`` sample), the SQuAD question and its gold answer (the
"short answer" pairs); ``squad_false_premise_pairs.jsonl`` holds 19 questions over the same
paragraphs whose premise the paragraph contradicts or never states. This writes each
paragraph as a document and the 59 questions in the ``rag eval`` format, so answering can
be measured on them with no download (the SQuAD source is not always fetchable):

    python -m eval.pairs_qa OUT && rag eval OUT/qa.jsonl --baseline --out OUT/report

Caveats, said where the figures are quoted: the judge's threshold was chosen on pairs over
these paragraphs, so verification is not blind here (retrieval and drafting are); and each
question has one gold answer, matched as a key fact (SQuAD's own dev set has three).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from eval.judge_eval import Pair, load_pairs

__all__ = ["main", "write_pairs_qa"]

DATA = Path(__file__).parent / "data"


def _fact(claim: str) -> str:
    """The gold answer as a key fact: the short-answer claim without its final full stop."""
    return claim.strip().rstrip(".").strip()


def write_pairs_qa(out: Path, data: Path = DATA) -> int:
    """Write OUT/<group>.txt for each paragraph and OUT/qa.jsonl; returns the question count."""
    support = load_pairs(data / "squad_support_pairs.jsonl")
    premises = load_pairs(data / "squad_false_premise_pairs.jsonl")
    out.mkdir(parents=True, exist_ok=True)
    passages: dict[str, str] = {}
    for p in [*support, *premises]:
        passages.setdefault(p.group, p.passage)
    for group, text in passages.items():
        (out / f"{group}.txt").write_text(text + "\n", "utf-8")
    rows = [_answerable(p) for p in support if p.kind == "short answer" and p.question]
    rows += [_premise(p) for p in premises if p.question]
    with (out / "qa.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def _answerable(p: Pair) -> dict[str, object]:
    fact = _fact(p.claim)
    return {
        "id": f"sq-{p.group}",
        "question": p.question,
        "language": p.passage_language,
        "answerable": True,
        "answers": [fact],
        "key_facts": [[fact]],
        "gold_docs": [f"{p.group}.txt"],
        "tags": ["number"] if re.search(r"\d", fact) else [],
    }


def _premise(p: Pair) -> dict[str, object]:
    return {
        "id": f"fp-{p.id}",
        "question": p.question,
        "language": p.passage_language,
        "answerable": False,
        "tags": ["false-premise"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.pairs_qa", description=__doc__)
    parser.add_argument("out", type=Path, help="folder for the paragraphs and qa.jsonl")
    args = parser.parse_args(argv)
    n = write_pairs_qa(args.out)
    print(f"wrote {n} questions and their paragraphs to {args.out}")
    print(f"next: rag eval {args.out / 'qa.jsonl'} --baseline --out {args.out / 'report'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
