"""``rag bench``: the report renders what was measured, and ``--quick`` runs both pipelines
end to end with the real models (the harness works; its figures are not judged here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval.bench import BenchResult, render, row_of, write_bench
from rag.cli import main
from tests.conftest import SEEDS


def _row(chunks: int, answered: bool) -> dict[str, Any]:
    timing = {"p50": 1.5, "p95": 2.5, "n": 2}
    row: dict[str, Any] = {
        "documents": 3,
        "chunks": chunks,
        "chunks_per_second": chunks / 10,
        "text_mb_per_minute": 0.5,
        "size_mb": 0.2,
        "open_seconds": 0.05,
        "search_ms": {"with_embedding": timing, "without": timing},
        "peak_rss_mb": 2048.0,
    }
    if answered:
        row["answer_seconds"] = {"sources": timing, "first_token": timing, "total": timing}
        row["prompt_tokens"] = {"p50": 900.0, "p95": 1000.0, "n": 2}
    return row


def test_render_shows_each_pipeline_and_leaves_out_what_was_not_measured(tmp_path: Path) -> None:
    result = BenchResult(
        corpora={
            "seeds": {"ours": _row(26, True), "llamaindex": _row(31, True)},
            "squad": {"ours": _row(2900, False), "llamaindex": _row(3100, False)},
        },
        meta={"queries": 20},
    )
    md = render(result)
    assert "| measure | ours | llamaindex |" in md
    assert "| chunks | 26 | 31 |" in md
    seeds, squad = md.split("## squad")
    assert "first token p50, s | 1.5 | 1.5 |" in seeds
    assert "first token" not in squad  # answers are measured on the seeds only
    paths = write_bench(result, tmp_path)
    assert [p.name for p in paths] == ["bench.json", "bench.md", "bench.png"]
    assert json.loads(paths[0].read_text())["corpora"]["squad"]["ours"]["chunks"] == 2900
    assert paths[2].stat().st_size > 10_000


def test_a_resumed_build_reports_the_rate_of_its_own_run() -> None:
    built = {"chunks": 900, "chunks_embedded": 300, "ingest_seconds": 60.0, "text_mb": None}
    row = row_of(built | {"peak_rss_mb": 1.0}, {"chunks": 1000, "peak_rss_mb": 2.0})
    assert row["chunks_per_second"] == 5.0  # 300 chunks of this run in its 60 s
    assert row["text_mb_per_minute"] is None
    assert row["chunks"] == 1000 and row["peak_rss_mb"] == 2.0


def test_a_baseline_built_from_our_vectors_has_no_ingest_rate() -> None:
    built = {"chunks": 10, "ingest_seconds": None, "text_mb": None, "peak_rss_mb": 1.0}
    row = row_of(built, {"peak_rss_mb": 1.0})
    assert row["chunks_per_second"] is None and row["text_mb_per_minute"] is None


@pytest.mark.integration
def test_quick_bench_measures_both_pipelines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["bench", "--quick", "--seeds", str(SEEDS), "--out", str(tmp_path / "b")])
    out, err = capsys.readouterr()
    print(out)
    assert rc == 0, err
    data = json.loads((tmp_path / "b" / "bench.json").read_text())
    seeds = data["corpora"]["seeds"]
    assert set(seeds) == {"ours", "llamaindex"}
    for name, row in seeds.items():
        assert row["documents"] == 3, name
        assert row["chunks"] > 3, name
        assert row["ingest_seconds"] > 0 and row["size_mb"] > 0, name
        assert row["search_ms"]["with_embedding"]["n"] == 3, name
        assert row["search_ms"]["without"]["p50"] > 0, name
        assert row["answer_seconds"]["total"]["n"] == 2, name
        assert row["prompt_tokens"]["p50"] > 100, name  # the passages are in the prompt
        assert row["peak_rss_mb"] > 500, name  # the models were loaded in that process
    # our chunking is 128 tokens; the baseline was built at the same size for ingest
    assert abs(seeds["ours"]["chunks"] - seeds["llamaindex"]["chunks"]) < seeds["ours"]["chunks"]
    # the large tier's steps, on the seeds: the baseline holds exactly our chunks and vectors
    ours, base = data["corpora"]["large"]["ours"], data["corpora"]["large"]["llamaindex"]
    assert base["chunks"] == ours["chunks"] and base["ingest_seconds"] is None
    assert base["size_mb"] > 0 and base["search_ms"]["without"]["n"] == 3
    recall = ours["vector_recall"]
    assert recall["kind"] == "exact" and recall["vectors"] == ours["chunks"]
    assert recall["questions"]["queries"] == 3
    assert recall["chunk_openings"]["queries"] == ours["chunks"]  # fewer chunks than 200
    # an exact index agrees with exact search; an IVF one is measured by the full run
    assert recall["questions"]["recall_at_10"] == 1.0
