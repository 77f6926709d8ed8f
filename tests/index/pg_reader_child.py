"""Run by test_postgres.py as one of several reader processes: search and list in a loop
for the given seconds; every document seen must be whole. Prints the number of rounds."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from index.catalog import ChunkingOptions, Index, make_backend
from index.chunking import chunk_text
from tests.fakes import HashEmbedder

QUERIES = ["ferry river bridge", "Zaluzhny withdrawal Bakhmut", "Einwohner Bachmut", "report 3"]

if __name__ == "__main__":
    seconds = float(sys.argv[1])
    emb = HashEmbedder()
    backend = make_backend(
        "postgres", emb.name, Path("."), dsn=os.environ["RAG_TEST_DSN"],
        schema=os.environ["RAG_TEST_SCHEMA"],
    )  # fmt: skip
    ix = Index(Path("."), emb, ChunkingOptions(120, 20), backend=backend)
    rounds, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        for h in ix.search(QUERIES[rounds % len(QUERIES)], k=8):
            doc = backend.document(h.chunk.doc_id)
            if doc is not None:  # else removed after this search: a later state
                assert doc.text[h.chunk.start : h.chunk.end] == h.chunk.text
        for info in ix.documents():
            doc = backend.document(info.doc_id)
            if doc is None:
                continue
            whole = len(chunk_text(doc.text, doc.language, 120, 20))
            assert info.n_chunks == whole, f"{info.doc_id}: {info.n_chunks} of {whole} chunks"
        rounds += 1
    print(rounds)
