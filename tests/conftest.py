"""Shared fixtures: offline environment, a loopback-only network, seeds, embedders."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if (
        self.family == socket.AF_UNIX
        or str(host) in ("localhost", "::1")
        or str(host).startswith("127.")
    ):
        return _real_connect(self, address)
    raise OSError(f"network access to {address!r} is blocked in tests")


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture()
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the seed articles (with their metadata), safe to modify."""
    dest = tmp_path / "seeds"
    dest.mkdir()
    for f in SEEDS.iterdir():
        if f.suffix in (".txt", ".json") and f.name != "qa.jsonl":
            shutil.copy(f, dest / f.name)
    return dest


@pytest.fixture(scope="session")
def real_embedder() -> Iterator[Any]:
    """The default embedder; integration tests fail (not skip) when it was not fetched."""
    from index import make_embedder
    from index.models import resolve_model_path

    resolve_model_path("embeddinggemma-300m")  # raises with "rag models fetch ..." if missing
    yield make_embedder("embeddinggemma-300m")
