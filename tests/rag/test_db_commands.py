"""rag db start / status / stop and rag migrate, as a user runs them (no model is loaded)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from index import ChunkingOptions, Index, make_backend
from rag.cli import main
from tests.fakes import HashEmbedder


def test_db_start_prints_the_dsn_status_and_stop(capsys: pytest.CaptureFixture[str]) -> None:
    data = Path(tempfile.mkdtemp(prefix="rag-db-cli-"))
    try:
        assert main(["db", "start", "--data", str(data)]) == 0
        out = capsys.readouterr().out
        assert "export RAG_INDEX__BACKEND=postgres RAG_INDEX__DSN=postgresql://postgres:" in out
        assert "127.0.0.1:" in out and (data / "pgdata" / "PG_VERSION").exists()
        assert main(["db", "status", "--data", str(data)]) == 0
        assert "running: postgresql://postgres@127.0.0.1:" in capsys.readouterr().out
    finally:
        main(["db", "stop", "--data", str(data)])
    assert "stopped" in capsys.readouterr().out
    assert main(["db", "status", "--data", str(data)]) == 1
    shutil.rmtree(data, ignore_errors=True)


def test_migrate_copies_the_configured_index_to_postgres(
    pg_dsn: str,
    tmp_path: Path,
    seeds_copy: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Index(tmp_path / "ix", HashEmbedder(), ChunkingOptions(120, 20)).add([seeds_copy])
    argv = ["--index", str(tmp_path / "ix"), "migrate", "--to", pg_dsn, "--schema", "cli_copy"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "copied 3 documents" in out and "nothing was embedded" in out
    from psycopg.conninfo import conninfo_to_dict

    assert str(conninfo_to_dict(pg_dsn)["password"]) not in out  # the password is not printed
    assert main(argv) == 2
    assert "already holds documents" in capsys.readouterr().err
    pg = make_backend("postgres", "hash-64", tmp_path, dsn=pg_dsn, schema="cli_copy")
    assert len(pg.documents()) == 3
    # the copied index answers `rag docs` through the settings a user would set
    monkeypatch.setenv("RAG_INDEX__BACKEND", "postgres")
    monkeypatch.setenv("RAG_INDEX__DSN", pg_dsn)
    monkeypatch.setenv("RAG_INDEX__PG_SCHEMA", "cli_copy")
    monkeypatch.setenv("RAG_INDEX__EMBEDDER", "hash-64")
    assert main(["docs"]) == 0
    assert "Zaluzhny" in capsys.readouterr().out
