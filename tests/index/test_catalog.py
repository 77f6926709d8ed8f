from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from index import DocumentNotFoundError, Index, IndexMismatchError
from index.catalog import ChunkingOptions
from tests.conftest import MakeIndex
from tests.fakes import HashEmbedder


def _generation(ix: Index) -> object:
    """What changes on every commit: the local generation, or the database's meta table."""
    backend: Any = ix.backend
    return backend.snapshots.current() if hasattr(backend, "snapshots") else backend.meta()


def test_add_search_and_exact_offsets(
    make_index: MakeIndex, tmp_path: Path, seeds_copy: Path
) -> None:
    ix = make_index("ix")
    report = ix.add([seeds_copy])
    assert len(report.added) == 3 and report.chunks_embedded > 10 and not report.failed
    hits = ix.search("Zaluzhny recommended the withdrawal of Ukrainian forces", k=3)
    assert hits and hits[0].title.startswith("Bild: Zaluzhny")
    for h in hits:
        doc = ix.document(h.chunk.doc_id)
        assert doc.text[h.chunk.start : h.chunk.end] == h.chunk.text
        for s in h.chunk.sentences:
            assert h.chunk.start <= s.start < s.end <= h.chunk.end
        assert h.dense_rank is not None or h.bm25_rank is not None
    infos = {d.title[:10]: d for d in ix.documents()}
    assert infos["Die Apokal"].language == "de"
    assert sum(d.n_chunks for d in infos.values()) == ix.count_chunks()


def test_reindex_unchanged_embeds_nothing(
    make_index: MakeIndex, tmp_path: Path, seeds_copy: Path
) -> None:
    emb = HashEmbedder()
    ix = make_index("ix", emb)
    ix.add([seeds_copy])
    gen = _generation(ix)
    report = ix.add([seeds_copy])
    assert report.chunks_embedded == 0 and len(report.unchanged) == 3
    assert emb.calls[-1] != 0 and len(emb.calls) == 1  # no second embed call at all
    assert _generation(ix) == gen  # nothing written


def test_changed_and_deleted_files(make_index: MakeIndex, tmp_path: Path, seeds_copy: Path) -> None:
    ix = make_index("ix")
    ix.add([seeds_copy])
    changed = seeds_copy / "000_bbccd35a777d2a55.txt"
    changed.write_text("A completely new text about the harbour of Odesa. It has ships.", "utf-8")
    (seeds_copy / "002_85485d81541dfa58.txt").unlink()
    report = ix.add([seeds_copy])
    assert len(report.updated) == 1 and len(report.removed) == 1 and len(report.unchanged) == 1
    assert len(ix.documents()) == 2
    hits = ix.search("harbour of Odesa ships", k=1)
    assert "harbour of Odesa" in hits[0].chunk.text
    assert all("Shtupun" not in h.chunk.text for h in ix.search("Shtupun surrender", k=10))


def test_no_prune_keeps_documents_of_missing_files(
    make_index: MakeIndex, tmp_path: Path, seeds_copy: Path
) -> None:
    ix = make_index("ix")
    ix.add([seeds_copy])
    (seeds_copy / "002_85485d81541dfa58.txt").unlink()
    assert not ix.add([seeds_copy], prune=False).removed
    assert len(ix.documents()) == 3


def test_remove_document(make_index: MakeIndex, tmp_path: Path, seeds_copy: Path) -> None:
    ix = make_index("ix")
    ix.add([seeds_copy])
    doc_id = next(d.doc_id for d in ix.documents() if d.language == "de")
    ix.remove(doc_id)
    assert doc_id not in {d.doc_id for d in ix.documents()}
    assert all(h.chunk.doc_id != doc_id for h in ix.search("Bakhmut Einwohner", k=20))
    with pytest.raises(DocumentNotFoundError, match="rag docs"):
        ix.remove(doc_id)


def test_bad_files_are_reported_and_nothing_is_lost(
    make_index: MakeIndex, tmp_path: Path, seeds_copy: Path
) -> None:
    ix = make_index("ix")
    ix.add([seeds_copy])
    before = {d.doc_id for d in ix.documents()}
    bad = tmp_path / "incoming"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (bad / "table.xlsx").write_bytes(b"PK")
    (bad / "good.md").write_text("# Good\n\nThe river Bakhmutka flows through the city.")
    report = ix.add([bad, tmp_path / "missing.pdf", bad / "table.xlsx"])
    assert len(report.failed) == 4
    reasons = dict(report.failed)
    assert reasons[str(bad / "empty.txt")] == "the file is empty"
    assert str(tmp_path / "missing.pdf") in reasons
    assert "unsupported file type .xlsx" in reasons[str(bad / "table.xlsx")]
    assert report.skipped == (str(bad / "table.xlsx"),)  # inside the folder: skipped
    assert len(report.added) == 1
    assert before < {d.doc_id for d in ix.documents()}


def test_other_embedder_is_refused_with_the_fix(
    make_index: MakeIndex, tmp_path: Path, seeds_copy: Path
) -> None:
    make_index("ix").add([seeds_copy])
    other = make_index("ix", HashEmbedder(dim=32, name="other"))
    with pytest.raises(IndexMismatchError, match="rebuild"):
        other.search("Bakhmut")
    report = other.add([seeds_copy], rebuild=True)
    assert len(report.added) == 3
    assert other.search("Bakhmut", k=1)


def test_empty_index_searches_to_nothing(make_index: MakeIndex, tmp_path: Path) -> None:
    ix = make_index("new")
    assert ix.search("anything") == [] and ix.documents() == []


def test_second_reader_follows_new_generations(
    make_index: MakeIndex, tmp_path: Path, seeds_copy: Path
) -> None:
    writer = make_index("ix")
    reader = make_index("ix")
    assert reader.documents() == []
    writer.add([seeds_copy])
    assert len(reader.documents()) == 3
    if make_index.kind == "local":
        old_gens = sorted(p.name for p in (tmp_path / "ix").glob("gen-*"))
        assert len(old_gens) == 1  # superseded generations are swept


class _FailsOnMarker(HashEmbedder):
    """Raises when asked to embed the marked text, like a Ctrl-C or a kill mid-ingest."""

    def embed(self, texts: Any, kind: Any, titles: Any = None, progress: bool = False) -> Any:
        if any("MARKER" in t for t in texts):
            raise KeyboardInterrupt
        return super().embed(texts, kind, titles, progress)


def test_interrupted_ingest_keeps_checkpoints_and_resumes(
    make_index: MakeIndex, tmp_path: Path, seeds_copy: Path
) -> None:
    # sorted last, so the three seed articles are embedded before it
    (seeds_copy / "zzz.txt").write_text("A MARKER sentence about Odesa harbour.", "utf-8")
    # one document a group, a checkpoint after every group
    failing = make_index("ix", _FailsOnMarker(), checkpoint_seconds=0, embed_group=1)
    with pytest.raises(KeyboardInterrupt):
        failing.add([seeds_copy])
    assert len(make_index("ix").documents()) == 3

    emb = HashEmbedder()
    resumed = make_index("ix", emb).add([seeds_copy])
    assert len(resumed.unchanged) == 3 and len(resumed.added) == 1
    assert sum(emb.calls) == resumed.chunks_embedded > 0  # only the missing document
    fresh = make_index("one-go")
    fresh.add([seeds_copy])
    ix = make_index("ix")
    assert ix.count_chunks() == fresh.count_chunks()
    query = "Zaluzhny recommended the withdrawal"
    assert [h.chunk.text for h in ix.search(query, k=5)] == [
        h.chunk.text for h in fresh.search(query, k=5)
    ]


def test_long_ingest_embeds_in_windows(
    make_index: MakeIndex, tmp_path: Path, seeds_copy: Path
) -> None:
    emb = HashEmbedder()
    ix = make_index("ix", emb, embed_group=4)
    report = ix.add([seeds_copy])
    assert max(emb.calls) <= 4 and sum(emb.calls) == report.chunks_embedded
    assert len(ix.documents()) == 3


def test_other_chunk_settings_are_refused_until_a_rebuild(
    make_index: MakeIndex, tmp_path: Path, seeds_copy: Path
) -> None:
    make_index("ix").add([seeds_copy])
    note = tmp_path / "note.txt"
    note.write_text("The ferry crossed the river at noon.")
    bigger = make_index("ix", chunking=ChunkingOptions(200, 20))
    with pytest.raises(IndexMismatchError, match=r"chunked at 120 tokens with 20 .*--rebuild"):
        bigger.add([note])
    assert len(bigger.documents()) == 3  # searching and listing still work; nothing changed
    bigger.add([seeds_copy, note], rebuild=True)
    assert len(bigger.documents()) == 4
