"""The QA dataset format (JSONL), validated line by line.

One object per line::

    {"id": "a02", "question": "...", "language": "en", "answerable": true,
     "answers": ["70,000"],               # gold answer strings (SQuAD-style), optional
     "key_facts": [["70000", "70.000"]],  # each fact: accepted variants; all facts must appear
     "gold_docs": ["001_727c9ab6842e9551.txt"],  # file names of the documents that answer it
     "gold_spans": [[0, 84]],             # optional character spans in those documents
     "tags": ["cross-lingual", "number"],
     "history": [{"question": "...", "answer": "..."}],  # earlier turns, for follow-ups
     "documents": ["../tests/fixtures/injection.md"]}     # extra files to index beside the
                                                          # corpus (relative to this file)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["KNOWN_TAGS", "DatasetError", "Example", "load_dataset"]

KNOWN_TAGS = frozenset({
    "cross-lingual", "multi-document", "unanswerable", "false-premise", "follow-up",
    "injection", "number", "attribution",
})  # fmt: skip


class DatasetError(ValueError):
    """A dataset file has bad lines; ``problems`` lists each as "file:line: reason"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Example:
    id: str
    question: str
    language: str
    answerable: bool
    answers: tuple[str, ...] = ()
    key_facts: tuple[tuple[str, ...], ...] = ()
    gold_docs: tuple[str, ...] = ()
    gold_spans: tuple[tuple[int, int], ...] = ()
    tags: tuple[str, ...] = ()
    history: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    documents: tuple[str, ...] = ()


def _example(row: Any) -> Example:
    if not isinstance(row, dict):
        raise ValueError("not a JSON object")
    missing = [k for k in ("id", "question", "language", "answerable") if k not in row]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    unknown = set(row) - {f for f in Example.__dataclass_fields__}
    if unknown:
        raise ValueError(f"unknown fields {', '.join(sorted(unknown))}")
    if not isinstance(row["answerable"], bool):
        raise ValueError("answerable must be true or false")
    facts = tuple(
        tuple(str(v) for v in (f if isinstance(f, list) else [f])) for f in row.get("key_facts", [])
    )
    if row["answerable"] and not facts and not row.get("answers"):
        raise ValueError("an answerable question needs key_facts or answers")
    tags = tuple(row.get("tags", []))
    bad_tags = set(tags) - KNOWN_TAGS
    if bad_tags:
        raise ValueError(f"unknown tags {', '.join(sorted(bad_tags))}")
    return Example(
        id=str(row["id"]),
        question=str(row["question"]),
        language=str(row["language"]),
        answerable=row["answerable"],
        answers=tuple(str(a) for a in row.get("answers", [])),
        key_facts=facts,
        gold_docs=tuple(str(d) for d in row.get("gold_docs", [])),
        gold_spans=tuple((int(a), int(b)) for a, b in row.get("gold_spans", [])),
        tags=tags,
        history=tuple((str(h["question"]), str(h["answer"])) for h in row.get("history", [])),
        documents=tuple(str(d) for d in row.get("documents", [])),
    )


def load_dataset(path: Path) -> list[Example]:
    """All examples, or a ``DatasetError`` naming every bad line (nothing half-loaded)."""
    examples: list[Example] = []
    problems: list[str] = []
    seen: set[str] = set()
    for lineno, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            ex = _example(json.loads(line))
            if ex.id in seen:
                raise ValueError(f"duplicate id {ex.id}")
            seen.add(ex.id)
            examples.append(ex)
        except (json.JSONDecodeError, ValueError, TypeError, KeyError) as exc:
            problems.append(f"{path}:{lineno}: {exc}")
    if problems:
        raise DatasetError(problems)
    if not examples:
        raise DatasetError([f"{path}: no examples"])
    return examples
