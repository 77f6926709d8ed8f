"""Generations of an index directory, committed atomically.

Layout::

    index_dir/
      CURRENT          name of the live generation, replaced with os.replace
      gen-000007/      store.sqlite, vectors.faiss, bm25/ (never modified once committed)
      .lock            held by the one writer

A writer builds the next generation in a staging folder, fsyncs it, renames it, then points
CURRENT at it. A crash or SIGKILL at any moment leaves CURRENT naming a whole generation;
leftovers are removed by the next writer.

Only folders the index made are ever removed: their names match ``gen-NNNNNN`` exactly and
they hold the marker file written when they were made (a user's ``gen-ai-notes/`` in the
same folder is not touched). A CURRENT that is missing beside generations, empty, or names
a generation that is not there is an error naming the recovery, never an empty index: a
write to an index read as empty would make a new generation and sweep the real ones.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from index.errors import IndexCorruptError, IndexWriteError

__all__ = ["STORE_FILE", "Snapshots"]

log = logging.getLogger(__name__)

STORE_FILE = "store.sqlite"
_CURRENT = "CURRENT"
_MARKER = ".rag-generation"  # written into every generation folder the index makes
_GENERATION = re.compile(r"gen-(\d{6})")
_STAGING = re.compile(r"gen-(\d{6})\.staging")


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

    def _ours(self, pattern: re.Pattern[str]) -> list[Path]:
        """Folders of this index whose names match ``pattern`` and that the index made.

        Generations made before the marker existed are recognised by their store file.
        """
        return sorted(
            p
            for p in self.root.glob("gen-*")
            if pattern.fullmatch(p.name)
            and p.is_dir()
            and ((p / _MARKER).exists() or (p / STORE_FILE).exists())
        )

    def current(self) -> Path | None:
        """The live generation's folder, or ``None`` for an index never written to."""
        if self.root.exists() and not self.root.is_dir():
            raise IndexCorruptError(
                f"{self.root} is a file, not an index folder; name a folder with --index "
                "(it is created when missing)"
            )
        name = self._read_current()
        while True:
            if name is None:
                generations = self._ours(_GENERATION)
                if not generations:
                    return None
                raise self._broken("is missing", generations)
            if not name:
                raise self._broken("is empty", self._ours(_GENERATION))
            folder = self.root / name
            if _GENERATION.fullmatch(name) and folder.is_dir():
                return folder
            # a writer may have committed a newer generation and swept this one between
            # our read of CURRENT and now: follow CURRENT; a name that stays bad is damage
            again = self._read_current()
            if again == name:
                raise self._broken(f"names {name!r}, which is not a generation here",
                                   self._ours(_GENERATION))  # fmt: skip
            name = again

    def _read_current(self) -> str | None:
        marker = self.root / _CURRENT
        try:
            return marker.read_text().strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise IndexCorruptError(f"{marker}: cannot be read ({exc.strerror})") from exc

    def _unwritable(self, exc: OSError) -> IndexWriteError:
        if exc.errno == errno.ENOSPC:
            fix = "free some disk space and run it again"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            fix = "make the folder writable, or name another with --index"
        else:
            fix = "check the folder and the disk, then run it again"
        return IndexWriteError(
            f"cannot write to the index {self.root} ({exc.strerror or exc}); {fix}. "
            "Nothing already indexed was changed"
        )

    def _broken(self, what: str, generations: list[Path]) -> IndexCorruptError:
        marker = self.root / _CURRENT
        if not generations:
            return IndexCorruptError(
                f"{marker} {what}, and {self.root} holds no generation to recover: "
                f"remove it (rm {marker}) and index your files again"
            )
        newest = generations[-1].name
        return IndexCorruptError(
            f"{marker} {what}; nothing was changed. The newest complete generation is "
            f"{newest}: to use it, run  echo {newest} > {marker}"
        )

    def _next_name(self) -> str:
        numbers = [
            int(m.group(1))
            for p in self.root.glob("gen-*")
            if (m := _GENERATION.fullmatch(p.name) or _STAGING.fullmatch(p.name))
        ]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = (self.root / ".lock").open("w")
        except OSError as exc:
            raise self._unwritable(exc) from exc
        with fh:
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
        (staging / _MARKER).touch()
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
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise self._unwritable(exc) from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._sweep()

    def _sweep(self) -> None:
        """Remove staging leftovers of killed writers and generations no longer live.

        A reader that still has an old generation open keeps working: its SQLite file
        descriptor stays valid after unlink, and the vectors are in memory.
        """
        live = self.current()  # raises on a broken CURRENT: then nothing is removed
        old = [p for p in self._ours(_GENERATION) if p != live]
        for p in [*old, *self._ours(_STAGING)]:
            shutil.rmtree(p, ignore_errors=True)
        stale = self.root / f"{_CURRENT}.tmp"
        if stale.exists():
            stale.unlink()
