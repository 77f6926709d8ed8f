"""SQLite store of documents and chunks: text, exact offsets and metadata.

Chunk ids come from AUTOINCREMENT, so an id is never reused after a delete; the vector and
BM25 indexes use the same ids.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from index.chunking import ChunkDraft
from index.errors import IndexCorruptError
from index.types import Chunk, Document, DocumentInfo, Span

__all__ = ["ChunkStore"]

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    source TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    language TEXT NOT NULL,
    published TEXT,
    metadata TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    n_tokens INTEGER NOT NULL,
    sentences TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
"""
_CHUNK_COLS = 'chunk_id, doc_id, ordinal, start, "end", text, n_tokens, sentences'


def _row_to_chunk(row: sqlite3.Row) -> Chunk:
    return Chunk(
        chunk_id=row["chunk_id"],
        doc_id=row["doc_id"],
        ordinal=row["ordinal"],
        start=row["start"],
        end=row["end"],
        text=row["text"],
        sentences=tuple(Span(a, b) for a, b in json.loads(row["sentences"])),
        n_tokens=row["n_tokens"],
    )


class ChunkStore:
    """One SQLite file; opened read-only for readers and read-write inside a transaction."""

    def __init__(self, path: Path, readonly: bool = True) -> None:
        self.path = path
        if readonly:
            # a committed generation never changes, so immutable=1 skips locking and journals
            uri = f"file:{path}?mode=ro&immutable=1"
            # sqlite reads lazily: touch the file now so that damage shows here, named. Not
            # a full integrity check: that reads the whole file (seconds at 100k chunks)
            try:
                self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                self.db.execute("SELECT count(*) FROM meta").fetchone()
            except sqlite3.DatabaseError as exc:
                raise IndexCorruptError(
                    f"{path} cannot be read ({exc}): the index is damaged; restore the folder "
                    "from a backup, or rebuild it: rag index --rebuild PATH..."
                ) from exc
        else:
            self.db = sqlite3.connect(path, check_same_thread=False)
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self.db.close()

    # metadata -----------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def all_meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.db.execute("SELECT key, value FROM meta")}

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # documents ----------------------------------------------------------------------------
    def hashes_by_source(self) -> dict[str, tuple[str, str]]:
        """source path → (doc_id, content_hash)."""
        rows = self.db.execute("SELECT source, doc_id, content_hash FROM documents")
        return {r["source"]: (r["doc_id"], r["content_hash"]) for r in rows}

    def add_document(self, doc: Document, drafts: Sequence[ChunkDraft]) -> list[Chunk]:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self.db.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                doc.doc_id,
                doc.title,
                doc.source,
                doc.text,
                doc.content_hash,
                doc.language,
                doc.published,
                json.dumps(doc.metadata, ensure_ascii=False),
                now,
            ),
        )
        chunks: list[Chunk] = []
        for ordinal, d in enumerate(drafts):
            text = doc.text[d.start : d.end]
            sents = json.dumps([[s.start, s.end] for s in d.sentences])
            cur = self.db.execute(
                f"INSERT INTO chunks ({_CHUNK_COLS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)",
                (doc.doc_id, ordinal, d.start, d.end, text, d.n_tokens, sents),
            )
            assert cur.lastrowid is not None
            chunks.append(
                Chunk(
                    cur.lastrowid,
                    doc.doc_id,
                    ordinal,
                    d.start,
                    d.end,
                    text,
                    d.sentences,
                    d.n_tokens,
                )
            )
        return chunks

    def delete_document(self, doc_id: str) -> list[int]:
        """Delete a document and its chunks; returns the deleted chunk ids."""
        ids = [
            r[0] for r in self.db.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))
        ]
        self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return ids

    def document(self, doc_id: str) -> Document | None:
        r = self.db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if r is None:
            return None
        return Document(
            doc_id=r["doc_id"],
            title=r["title"],
            source=r["source"],
            text=r["text"],
            content_hash=r["content_hash"],
            language=r["language"],
            published=r["published"],
            metadata=json.loads(r["metadata"]),
        )

    def documents(self) -> list[DocumentInfo]:
        rows = self.db.execute(
            "SELECT d.doc_id, d.title, d.source, d.language, d.published, d.added_at,"
            " d.content_hash, length(d.text) AS n_chars, count(c.chunk_id) AS n_chunks"
            " FROM documents d LEFT JOIN chunks c ON c.doc_id = d.doc_id"
            " GROUP BY d.doc_id ORDER BY d.title"
        )
        return [
            DocumentInfo(
                r["doc_id"],
                r["title"],
                r["source"],
                r["language"],
                r["published"],
                r["n_chunks"],
                r["n_chars"],
                r["added_at"],
                r["content_hash"],
            )
            for r in rows
        ]

    # chunks -------------------------------------------------------------------------------
    def chunks(self, ids: Iterable[int]) -> dict[int, Chunk]:
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT {_CHUNK_COLS} FROM chunks WHERE chunk_id IN ({marks})", ids)
        return {r["chunk_id"]: _row_to_chunk(r) for r in rows}

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        rows = self.db.execute(
            f"SELECT {_CHUNK_COLS} FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,)
        )
        return [_row_to_chunk(r) for r in rows]

    def all_chunk_texts(self) -> tuple[list[int], list[str], list[str]]:
        """Every chunk's id, text and document language, in id order (for BM25)."""
        rows = self.db.execute(
            "SELECT c.chunk_id, c.text, d.language FROM chunks c"
            " JOIN documents d ON d.doc_id = c.doc_id ORDER BY c.chunk_id"
        ).fetchall()
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def doc_labels(self, doc_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """doc_id → (title, language)."""
        ids = list(set(doc_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT doc_id, title, language FROM documents WHERE doc_id IN ({marks})", ids
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def count_chunks(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM chunks").fetchone()[0])
