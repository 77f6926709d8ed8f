"""Run by test_crash.py in a subprocess: index a folder with a fake embedder, then exit."""

from __future__ import annotations

import sys
from pathlib import Path

from index.catalog import ChunkingOptions, Index
from tests.fakes import HashEmbedder

if __name__ == "__main__":
    root, folder, delay, marker = sys.argv[1:5]
    embedder = HashEmbedder(delay=float(delay), started_marker=Path(marker))
    Index(Path(root), embedder, ChunkingOptions(120, 20)).add([Path(folder)])
    print("done")
