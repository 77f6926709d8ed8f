"""Generations of an index directory, committed atomically.

Layout::

    index_dir/
      CURRENT          name of the live generation, replaced with os.replace
      gen-000007/      store.sqlite, vectors.faiss, bm25/ (never modified once committed)
      .lock            held by the one writer

A writer builds the next generation in a staging folder, fsyncs it, renames it, then points
CURRENT at it. A crash or SIGKILL at any moment leaves CURRENT naming a whole generation;
leftovers are removed by the next writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

__all__ = ["STORE_FILE", "Snapshots"]

log = logging.getLogger(__name__)

STORE_FILE = "store.sqlite"
_CURRENT = "CURRENT"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for sub in sorted(path.rglob("*"), key=lambda p: -len(p.parts)):
        if sub.is_file():
            with sub.open("rb") as fh:
                os.fsync(fh.fileno())
        else:
            _fsync_dir(sub)
    _fsync_dir(path)


class Snapshots:
    def __init__(self, root: Path) -> None:
        self.root = root

    def current(self) -> Path | None:
        """The live generation's folder, or ``None`` for an empty index."""
        marker = self.root / _CURRENT
        try:
            name = marker.read_text().strip()
        except FileNotFoundError:
            return None
        folder = self.root / name
        return folder if folder.is_dir() else None

    def _next_name(self) -> str:
        numbers = [
            int(p.name.split("-")[1].split(".")[0])
            for p in self.root.glob("gen-*")
            if p.name.split("-")[1].split(".")[0].isdigit()
        ]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.warning("another process is writing %s; waiting for it", self.root)
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def write(self, fresh: bool = False) -> Iterator[tuple[Path, Path | None]]:
        """Yield (staging folder holding a copy of the store, previous generation or None).

        The caller writes the new generation's files into the staging folder; on a clean
        exit it becomes CURRENT. Call inside ``lock()``.
        """
        self._sweep()
        previous = None if fresh else self.current()
        name = self._next_name()
        staging = self.root / f"{name}.staging"
        staging.mkdir()
        try:
            if previous is not None:
                src = sqlite3.connect(f"file:{previous / STORE_FILE}?mode=ro", uri=True)
                dst = sqlite3.connect(staging / STORE_FILE)
                with dst:
                    src.backup(dst)
                src.close()
                dst.close()
            yield staging, previous
            _fsync_tree(staging)
            final = self.root / name
            staging.rename(final)
            tmp = self.root / f"{_CURRENT}.tmp"
            with tmp.open("w") as fh:
                fh.write(name + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.root / _CURRENT)
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._sweep()

    def _sweep(self) -> None:
        """Remove staging leftovers of killed writers and generations no longer live.

        A reader that still has an old generation open keeps working: its SQLite file
        descriptor stays valid after unlink, and the vectors are in memory.
        """
        live = self.current()
        for p in self.root.glob("gen-*"):
            if p != live:
                shutil.rmtree(p, ignore_errors=True)
        stale = self.root / f"{_CURRENT}.tmp"
        if stale.exists():
            stale.unlink()
