"""Readers and a writer in one process: a search that started on a generation finishes on it
(issue: the writer closed the old store under running searches: 2 segfaults in 4 runs, and
"Cannot operate on a closed database" in the UI while another session uploaded)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from index.catalog import ChunkingOptions, Index
from index.errors import DocumentNotFoundError
from tests.fakes import HashEmbedder


def test_searches_beside_adds_and_removes_never_fail(tmp_path: Path, seeds_copy: Path) -> None:
    ix = Index(tmp_path / "ix", HashEmbedder(), ChunkingOptions(120, 20))
    ix.add([seeds_copy])
    extra = tmp_path / "extra"
    extra.mkdir()
    errors: list[BaseException] = []
    searches = [0]
    removed: set[str] = set()
    done = threading.Event()

    def reader() -> None:
        queries = ["Zaluzhny withdrawal Bakhmut", "ferry river bridge", "Einwohner Bachmut"]
        i = 0
        while not done.is_set():
            try:
                for h in ix.search(queries[i % 3], k=5):
                    try:
                        doc = ix.document(h.chunk.doc_id)
                    except DocumentNotFoundError:
                        # removed by the writer after this search: a later state, not a fault
                        assert h.chunk.doc_id in removed
                        continue
                    assert doc.text[h.chunk.start : h.chunk.end] == h.chunk.text
                ix.documents()
                searches[0] += 1
            except BaseException as exc:
                errors.append(exc)
                return
            i += 1

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20  # bounded: the writer stops after 20 s or 12 commits
    commits = 0
    try:
        while time.monotonic() < deadline and commits < 12 and not errors:
            f = extra / f"note{commits}.txt"
            f.write_text(f"The ferry number {commits} crossed the river at noon. " * 20)
            ix.add([extra], prune=False)
            commits += 1
            if commits % 3 == 0:
                gone = next(d.doc_id for d in ix.documents() if d.doc_id.startswith("note"))
                removed.add(gone)  # announced before the commit that removes it
                ix.remove(gone)
                commits += 1
    finally:
        done.set()
        for t in threads:
            t.join(30)
    assert not errors, repr(errors[0])
    assert commits >= 6 and searches[0] > commits
    print(f"{commits} commits beside {searches[0]} searches, no failure")
