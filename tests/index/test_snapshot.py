"""A damaged CURRENT pointer and foreign folders: the index refuses to guess, and loses
nothing (issue: a bad CURRENT read as empty let the next write delete the real generation;
the sweep removed a user's gen-ai-notes/ folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.catalog import ChunkingOptions, Index
from index.errors import IndexCorruptError
from tests.fakes import HashEmbedder


def _index(root: Path) -> Index:
    return Index(root, HashEmbedder(), ChunkingOptions(120, 20))


@pytest.fixture()
def seeded(tmp_path: Path, seeds_copy: Path) -> Path:
    root = tmp_path / "ix"
    _index(root).add([seeds_copy])
    return root


def _generation(root: Path) -> str:
    return (root / "CURRENT").read_text().strip()


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda c: c.write_text("gen-000009\n"), "names 'gen-000009'"),
        (lambda c: c.write_text(""), "is empty"),
        (lambda c: c.unlink(), "is missing"),
        (lambda c: c.write_text("../elsewhere\n"), "names '../elsewhere'"),
    ],
)
def test_a_damaged_current_is_an_error_naming_the_recovery_and_nothing_is_lost(
    seeded: Path, seeds_copy: Path, tmp_path: Path, damage: object, says: str
) -> None:
    live = _generation(seeded)
    damage(seeded / "CURRENT")  # type: ignore[operator]
    extra = tmp_path / "f.txt"
    extra.write_text("A ferry crossed the river at noon.")
    ix = _index(seeded)
    with pytest.raises(IndexCorruptError, match=says) as err:
        ix.documents()
    assert f"echo {live} > {seeded / 'CURRENT'}" in str(err.value)
    # a write refuses too, and the real generation survives it
    with pytest.raises(IndexCorruptError):
        ix.add([extra])
    with pytest.raises(IndexCorruptError):
        ix.remove("anything")
    assert (seeded / live / "store.sqlite").is_file()
    # the recovery the message names gives back all three documents
    (seeded / "CURRENT").write_text(live + "\n")
    assert len(_index(seeded).documents()) == 3
    _index(seeded).add([extra])
    assert len(_index(seeded).documents()) == 4


def test_only_folders_the_index_made_are_swept(seeded: Path, seeds_copy: Path) -> None:
    mine = seeded / "gen-ai-notes"
    mine.mkdir()
    (mine / "notes.md").write_text("my notes")
    lookalike = seeded / "gen-000099"  # the right shape, but not made by the index
    lookalike.mkdir()
    (lookalike / "keep.txt").write_text("mine too")
    ix = _index(seeded)
    doc_id = ix.documents()[0].doc_id
    ix.remove(doc_id)
    ix.add([seeds_copy])
    assert (mine / "notes.md").read_text() == "my notes"
    assert (lookalike / "keep.txt").read_text() == "mine too"
    # the index's own old generations are gone: one live generation of its own remains
    made = [p for p in seeded.glob("gen-*") if (p / ".rag-generation").exists()]
    assert [p.name for p in made] == [_generation(seeded)]


def test_a_full_disk_is_one_line_and_the_index_is_unchanged(
    seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from index import snapshot
    from index.errors import IndexWriteError

    live = _generation(seeded)
    extra = tmp_path / "f.txt"
    extra.write_text("A ferry crossed the river at noon.")

    def no_space(_path: Path) -> None:  # fault injection: the disk fills during the commit
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(snapshot, "_fsync_tree", no_space)
    with pytest.raises(IndexWriteError, match=r"No space left on device\); free some disk space"):
        _index(seeded).add([extra])
    monkeypatch.undo()
    assert _generation(seeded) == live and len(_index(seeded).documents()) == 3
    assert not list(seeded.glob("*.staging"))


def test_an_index_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    from index.errors import IndexWriteError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    note = tmp_path / "f.txt"
    note.write_text("A ferry crossed the river at noon.")
    with pytest.raises(IndexWriteError, match=r"cannot write to the index .*file/ix"):
        _index(blocker / "ix").add([note])
