"""Deterministic fakes, passed into product code by tests (never switched on inside it)."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.embedders import Kind, Vectors


class HashEmbedder:
    """Bag of hashed words: texts sharing words get similar vectors; same text, same vector."""

    def __init__(
        self,
        dim: int = 64,
        name: str = "hash-64",
        delay: float = 0.0,
        started_marker: Path | None = None,
    ) -> None:
        self._dim = dim
        self._name = name
        self.delay = delay
        self.started_marker = started_marker
        self.calls: list[int] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def embed(
        self,
        texts: Sequence[str],
        kind: Kind,
        titles: Sequence[str] | None = None,
        progress: bool = False,
    ) -> Vectors:
        self.calls.append(len(texts))
        if self.started_marker is not None and texts:
            self.started_marker.write_text("embedding")
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.casefold()):
                h = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "little")
                out[i, h % self._dim] += 1.0
            norm = float(np.linalg.norm(out[i]))
            out[i] = out[i] / norm if norm else out[i]
            if self.delay:
                time.sleep(self.delay)
        return out
