"""The run journal: every answer of an evaluation, written the moment it is scored.

A SQuAD sample of 500 takes hours on two cores, longer than a laptop stays awake or a work
session lasts. Each answer is appended to ``OUT/answers.jsonl`` (flushed and synced, so a
kill loses at most the question being answered), and ``--resume`` answers only what the
journal does not hold yet. Its first line is the run's fingerprint: the examples, the
configuration, the models and a hash of the project's source. Answers from another
configuration or another version of the code would mix two pipelines in one figure, so a
journal whose fingerprint differs is refused, naming what changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from eval.dataset import Example
from eval.runner import ExampleResult, result_from_row, result_row
from index.errors import RagError

__all__ = ["JOURNAL_NAME", "Journal", "JournalError", "fingerprint", "source_hash"]

JOURNAL_NAME = "answers.jsonl"
_FORMAT = 1


class JournalError(RagError):
    """A journal cannot be resumed; the message names the file and the fix."""


def source_hash(packages: Sequence[str] = ("index", "rag", "eval")) -> str:
    """SHA-256 over the Python source of ``packages`` (path and bytes, in path order)."""
    import importlib

    digest = hashlib.sha256()
    for name in packages:
        root = Path(importlib.import_module(name).__file__ or "").parent
        for path in sorted(root.rglob("*.py")):
            digest.update(f"{name}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(
    dataset: str,
    examples: Sequence[Example],
    config: Mapping[str, Any],
    models: Mapping[str, str],
    code: str,
) -> dict[str, Any]:
    """What must be equal for answers of two runs to belong to one evaluation."""
    listed = "\n".join(f"{e.id}\t{e.question}" for e in examples)
    return {
        "dataset": dataset,
        "examples": f"{len(examples)} sha256:{hashlib.sha256(listed.encode()).hexdigest()[:16]}",
        "config": dict(config),
        "models": dict(models),
        "code": code,
    }


def _differences(old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            out += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            out.append(f"{prefix}{key} ({a!r} then, {b!r} now)")
    return out


class Journal:
    """Answers per pipeline, appended as they come; see the module docstring."""

    def __init__(self, path: Path, finished: dict[str, dict[str, dict[str, Any]]]) -> None:
        self.path = path
        self._finished = finished  # pipeline -> example id -> stored row
        self._fh: TextIO | None = None

    @classmethod
    def open(cls, out_dir: Path, run: Mapping[str, Any], resume: bool) -> Journal:
        """The journal in ``out_dir``: read back when ``resume``, else begun anew (an earlier
        one is kept beside it as ``answers.prev.jsonl``, never deleted unasked)."""
        path = out_dir / JOURNAL_NAME
        finished: dict[str, dict[str, dict[str, Any]]] = {}
        if resume and path.exists():
            finished = cls._read(path, run)
        elif resume:
            raise JournalError(
                f"--resume: {path} does not exist, so there is nothing to resume; "
                "fix: give the --out of the interrupted run, or leave out --resume"
            )
        elif path.exists():
            path.replace(out_dir / "answers.prev.jsonl")
        journal = cls(path, finished)
        if not resume:
            out_dir.mkdir(parents=True, exist_ok=True)
            journal._write({"journal": _FORMAT, "run": dict(run)})
        return journal

    @staticmethod
    def _read(path: Path, run: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
        lines = path.read_text("utf-8").splitlines()
        try:
            head = json.loads(lines[0]) if lines else {}
        except json.JSONDecodeError:
            head = {}
        if head.get("journal") != _FORMAT:
            raise JournalError(
                f"{path} is not a run journal of this version; "
                "fix: give another --out, or leave out --resume to begin anew"
            )
        changed = _differences(head.get("run", {}), run)
        if changed:
            raise JournalError(
                f"{path} holds answers of a different run; changed: {'; '.join(changed)}. "
                "Fix: restore that configuration and code, or leave out --resume to begin "
                "anew (the journal is then kept as answers.prev.jsonl)"
            )
        finished: dict[str, dict[str, dict[str, Any]]] = {}
        for line in lines[1:]:
            try:
                entry = json.loads(line)
                row = entry["row"]
                finished.setdefault(entry["pipeline"], {})[row["example"]["id"]] = row
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # the last line, cut short by the interruption
        return finished

    def finished(self, pipeline: str, examples: Sequence[Example]) -> dict[str, ExampleResult]:
        """The stored answers of ``pipeline`` to ``examples``, by example id."""
        rows = self._finished.get(pipeline, {})
        return {e.id: result_from_row(rows[e.id], e) for e in examples if e.id in rows}

    def record(self, pipeline: str, result: ExampleResult) -> None:
        self._write({"pipeline": pipeline, "row": result_row(result)})

    def _write(self, entry: Mapping[str, Any]) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            torn = self._torn_tail()
            self._fh = self.path.open("a", encoding="utf-8")
            if torn:
                self._fh.write("\n")
        self._fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())  # a kill or a power cut loses at most this answer

    def _torn_tail(self) -> bool:
        """Whether the file ends inside a line (an interrupted write): the next entry must
        begin on a line of its own, or it would be lost with the broken one."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return False
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
