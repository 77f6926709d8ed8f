"""Run by the crash tests in a subprocess: index a folder with a fake embedder, then exit.

With RAG_TEST_DSN and RAG_TEST_SCHEMA in the environment the index is in PostgreSQL.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from index.catalog import ChunkingOptions, Index, make_backend
from tests.fakes import HashEmbedder

if __name__ == "__main__":
    root, folder, delay, marker = sys.argv[1:5]
    embedder = HashEmbedder(delay=float(delay), started_marker=Path(marker))
    dsn = os.environ.get("RAG_TEST_DSN")
    kind = "postgres" if dsn else "local"
    schema = os.environ.get("RAG_TEST_SCHEMA", "rag")
    backend = make_backend(kind, embedder.name, Path(root), dsn=dsn, schema=schema)
    Index(Path(root), embedder, ChunkingOptions(120, 20), backend=backend).add([Path(folder)])
    print("done")
