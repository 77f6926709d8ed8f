"""The acceptance path of the foundation, with the real default embedder on the seeds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.cli import main
from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.integration


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture(scope="module")
def seeds_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("corpus") / "seeds"
    shutil.copytree(SEEDS, dest, ignore=shutil.ignore_patterns("qa.jsonl"))
    return dest


@pytest.fixture(scope="module")
def index_dir(
    tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path, real_embedder: Any
) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("ix") / "index"
    assert main(["--index", str(root), "index", "-q", str(seeds_dir)]) == 0
    yield root


def _search(capsys: pytest.CaptureFixture[str], index_dir: Path, query: str) -> list[Any]:
    rc, out, _ = _run(capsys, "--index", str(index_dir), "search", query, "-k", "3", "--json")
    assert rc == 0
    hits: list[Any] = json.loads(out)["hits"]
    return hits


def test_english_question_finds_german_passage_with_1700(
    capsys: pytest.CaptureFixture[str], index_dir: Path
) -> None:
    hits = _search(
        capsys,
        index_dir,
        "How many Ukrainian soldiers died on the first day of the counteroffensive near Bakhmut?",
    )
    german = [h for h in hits if h["language"] == "de" and "1700" in h["chunk"]["text"]]
    assert german, [h["chunk"]["text"][:80] for h in hits]


def test_german_question_finds_english_zaluzhny_passage(
    capsys: pytest.CaptureFixture[str], index_dir: Path
) -> None:
    hits = _search(capsys, index_dir, "Wer empfahl den Rückzug aus Bachmut?")
    assert any(
        h["language"] == "en"
        and "Zaluzhny a few weeks ago recommended the withdrawal" in h["chunk"]["text"]
        for h in hits
    )


def test_reindex_unchanged_embeds_zero(
    capsys: pytest.CaptureFixture[str], index_dir: Path, seeds_dir: Path
) -> None:
    rc, out, _ = _run(capsys, "--index", str(index_dir), "index", "-q", str(seeds_dir))
    assert rc == 0
    assert "3 unchanged" in out and "0 chunks embedded" in out


def test_search_output_names_title_language_span_and_score(
    capsys: pytest.CaptureFixture[str], index_dir: Path
) -> None:
    rc, out, _ = _run(capsys, "--index", str(index_dir), "search", "Wagner Prigozhin", "-k", "2")
    assert rc == 0
    first = out.splitlines()[0]
    assert first.startswith("1. ") and ("[en]" in first or "[de]" in first)
    assert "chars " in first and "score " in first and "dense #" in first


def test_docs_lists_seeds_with_language_and_date(
    capsys: pytest.CaptureFixture[str], index_dir: Path
) -> None:
    rc, out, _ = _run(capsys, "--index", str(index_dir), "docs", "--json")
    docs = {d["title"][:8]: d for d in json.loads(out)}
    assert rc == 0 and len(docs) == 3
    assert docs["Die Apok"]["language"] == "de"
    assert docs["Russian "]["published"] == "2023-12-26"


def test_bad_files_exit_nonzero_and_keep_index(
    capsys: pytest.CaptureFixture[str], index_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "notes.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    rc, out, err = _run(capsys, "--index", str(index_dir), "index", "-q", "--no-prune", str(bad))
    assert rc == 1
    assert f"{bad / 'empty.txt'}: the file is empty" in err
    assert str(bad / "notes.pdf") in err and "2 failed" in out
    rc, out, _ = _run(capsys, "--index", str(index_dir), "docs")
    assert len(out.strip().splitlines()) == 3


def test_remove_then_readd(
    capsys: pytest.CaptureFixture[str], index_dir: Path, seeds_dir: Path
) -> None:
    _, out, _ = _run(capsys, "--index", str(index_dir), "docs", "--json")
    doc_id = json.loads(out)[0]["doc_id"]
    assert _run(capsys, "--index", str(index_dir), "remove", doc_id)[0] == 0
    _, out, _ = _run(capsys, "--index", str(index_dir), "docs", "--json")
    assert doc_id not in {d["doc_id"] for d in json.loads(out)}
    rc, err = _run(capsys, "--index", str(index_dir), "remove", doc_id)[::2]
    assert rc == 2 and "no document" in err
    _, out, _ = _run(capsys, "--index", str(index_dir), "index", "-q", str(seeds_dir))
    assert "1 added" in out and "2 unchanged" in out


def test_missing_model_gives_the_fetch_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_INDEX__MODELS_DIR", str(tmp_path / "empty-cache"))
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nSomething worth indexing.")
    rc, _, err = _run(capsys, "--index", str(tmp_path / "ix"), "index", "-q", str(note))
    assert rc == 2
    assert "embeddinggemma-300m is not in" in err
    assert "fix: rag models fetch embeddinggemma-300m" in err
    assert not (tmp_path / "ix" / "CURRENT").exists()


def test_bad_config_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cfg = tmp_path / "rag.toml"
    cfg.write_text("[index]\nchunk_tokenz = 300\n")
    rc, _, err = _run(capsys, "--config", str(cfg), "docs")
    assert rc == 2 and "chunk_tokenz" in err
    rc, _, err = _run(capsys, "--config", str(tmp_path / "nope.toml"), "docs")
    assert rc == 2 and err.strip() == (
        f"error: --config {tmp_path / 'nope.toml'}: no such file; give an existing TOML file"
    )


def test_rag_command_runs_as_a_real_process(index_dir: Path) -> None:
    rag = Path(sys.executable).parent / "rag"
    proc = subprocess.run(
        [str(rag), "--index", str(index_dir), "models", "list"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=dict(os.environ, HF_HUB_OFFLINE="1"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "embeddinggemma-300m" in proc.stdout and "present" in proc.stdout


def test_ask_prints_cited_verified_answer(
    capsys: pytest.CaptureFixture[str], index_dir: Path
) -> None:
    rc, out, _ = _run(
        capsys,
        "--index",
        str(index_dir),
        "ask",
        "--stream",
        "Who recommended withdrawing Ukrainian forces from Bakhmut?",
    )
    assert rc == 0
    assert "Zaluzh" in out and "[1]" in out
    assert "✓ sentence 1" in out
    assert "[1] Bild: Zaluzhny recommended" in out
    assert "first token" in out and "prompt tokens" in out


def test_ask_json_abstains_off_topic(capsys: pytest.CaptureFixture[str], index_dir: Path) -> None:
    rc, out, _ = _run(
        capsys, "--index", str(index_dir), "ask", "--json", "Who won the 2022 FIFA World Cup?"
    )
    answer = json.loads(out)
    assert rc == 0 and answer["abstained"] is True
    assert answer["text"] == "The documents do not say." and answer["citations"] == []
    assert answer["hits"]  # the closest passages are shown with the abstention
