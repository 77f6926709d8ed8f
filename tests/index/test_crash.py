"""SIGKILL an indexing process at many moments; the previous index must still open and search."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.catalog import ChunkingOptions, Index
from tests.conftest import ROOT
from tests.fakes import HashEmbedder


def _many_docs(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        body = " ".join(
            f"Report {i} sentence {j} about river {i % 7} and bridge {j}." for j in range(40)
        )
        (folder / f"doc{i:04d}.txt").write_text(body, "utf-8")


def _start(root: Path, folder: Path, delay: float, marker: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.index.indexer_child",
            str(root),
            str(folder),
            str(delay),
            str(marker),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _assert_previous_or_complete(root: Path, previous: int, complete: int) -> int:
    ix = Index(root, HashEmbedder(), ChunkingOptions(120, 20))
    n = len(ix.documents())
    assert n in (previous, complete), f"partial index: {n} documents"
    hits = ix.search("Zaluzhny withdrawal Bakhmut", k=3)
    assert hits and all(
        ix.document(h.chunk.doc_id).text[h.chunk.start : h.chunk.end] == h.chunk.text for h in hits
    )
    return n


@pytest.fixture()
def seeded_index(tmp_path: Path, seeds_copy: Path) -> Path:
    root = tmp_path / "ix"
    Index(root, HashEmbedder(), ChunkingOptions(120, 20)).add([seeds_copy])
    return root


def test_kill_during_embedding_keeps_previous_index(
    tmp_path: Path, seeded_index: Path, seeds_copy: Path
) -> None:
    folder = tmp_path / "more"
    _many_docs(folder, 20)
    marker = tmp_path / "started"
    proc = _start(seeded_index, folder, 0.05, marker)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _assert_previous_or_complete(seeded_index, 3, 23) == 3
    # the next run cleans up the killed writer's leftovers and completes
    report = Index(seeded_index, HashEmbedder(), ChunkingOptions(120, 20)).add([folder])
    assert len(report.added) == 20
    assert not list(seeded_index.glob("*.staging"))


def test_kill_at_many_moments_never_leaves_a_partial_index(
    tmp_path: Path, seeded_index: Path
) -> None:
    folder = tmp_path / "more"
    _many_docs(folder, 150)
    # time one undisturbed run in a scratch copy, then kill real runs across that window
    scratch = tmp_path / "scratch"
    t0 = time.monotonic()
    done = _start(scratch, folder, 0.0, tmp_path / "m0")
    assert done.wait(120) == 0
    full = time.monotonic() - t0
    outcomes = []
    for i in range(8):
        proc = _start(seeded_index, folder, 0.0, tmp_path / f"m{i + 1}")
        time.sleep(full * (0.35 + 0.09 * i))  # from interpreter start-up through commit
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        outcomes.append(_assert_previous_or_complete(seeded_index, 3, 153))
        if outcomes[-1] == 153:
            break
    assert 3 in outcomes  # at least one kill landed before the commit
