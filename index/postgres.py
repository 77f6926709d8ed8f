"""The postgres backend: documents, chunks (exact offsets, sentence spans), vectors and
term statistics in one PostgreSQL ≥ 15 schema with pgvector.

Search is one statement: dense candidates from an HNSW index (cosine), lexical candidates
ranked by BM25 over full-text lexemes (GIN index), fused by the weighted reciprocal-rank
rule of ``index.fusion``. Lexemes come from the ``english`` or ``german`` configuration by
the chunk's language (``simple`` for any other); a query is turned into lexemes by all three,
so a German question meets an English passage's names and numbers. PostgreSQL's own ranking
(ts_rank) has no inverse document frequency, so BM25 is computed here from a table of
document frequencies kept in the same transactions as the chunks.

Every write is one transaction under an advisory lock (one writer at a time, any number
of readers): readers see all of a document's chunks or none, and a killed writer leaves
nothing behind.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.backend import IndexExport, IndexSettings, check_settings
from index.bm25 import join_number_groups
from index.chunking import ChunkDraft
from index.embedders import Vectors
from index.errors import IndexCorruptError, IndexMismatchError, IndexWriteError, RagIndexError
from index.pg_sql import COUNT_TERMS, FORGET_TERMS, INSERT_CHUNK, SCHEMA, SEARCH
from index.types import Chunk, Document, DocumentInfo, Hit, SearchOptions, Span

__all__ = ["SCHEMA_VERSION", "PostgresBackend", "redact"]

SCHEMA_VERSION = "1"
_CONFIGS = {"en": "english", "de": "german"}  # any other language: 'simple'
_LOCK_SPACE = 0x52414731  # advisory lock: this number and the schema's hash
_INSTALL_HINT = "install the backend's extra: pip install 'grounded-rag[postgres]'"


def redact(dsn: str) -> str:
    """The DSN without its password, for messages (the DSN itself is never logged)."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(dsn)
    except Exception:  # a DSN psycopg cannot parse is named by its shape only
        return "postgresql://(unparsable DSN)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


def _chunk(r: Sequence[Any]) -> Chunk:
    """A chunk from a row of (chunk_id, doc_id, ordinal, start, end, text, sentences, n_tokens)."""
    return Chunk(r[0], r[1], r[2], r[3], r[4], r[5], tuple(Span(a, b) for a, b in r[6]), r[7])


def _vector_text(v: np.ndarray[Any, Any]) -> str:
    return "[" + ",".join(f"{x:.8g}" for x in v.tolist()) + "]"


class PostgresBackend:
    def __init__(
        self, dsn: str, embedder_name: str | None, cache_dir: Path, schema: str = "rag"
    ) -> None:
        if not schema.isidentifier() or not schema.islower():
            raise RagIndexError(
                f"index.pg_schema {schema!r} is not a plain lower-case name; use letters, "
                "digits and _"
            )
        self.dsn = dsn
        self.schema = schema
        self.location = f"{redact(dsn)} (schema {schema})"
        self.cache_dir = Path(cache_dir)
        self.embedder_name = embedder_name
        self._local = threading.local()
        self._writer: Any = None
        self._checked = False

    # connections ------------------------------------------------------------------------------
    def _connect(self, autocommit: bool) -> Any:
        try:
            import psycopg
        except ImportError as exc:
            raise RagIndexError(f"the postgres backend needs psycopg; {_INSTALL_HINT}") from exc
        try:
            conn = psycopg.connect(self.dsn, autocommit=autocommit, connect_timeout=10)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise RagIndexError(
                f"cannot connect to {redact(self.dsn)} ({reason.replace(self.dsn, '…')}); start "
                "the server (rag db start prints a DSN) or fix index.dsn"
            ) from exc
        # HNSW returns at most ef_search rows, and candidates may be up to 1000
        conn.execute("SET hnsw.ef_search = 1000")
        return conn

    @staticmethod
    def _has_vector(conn: Any) -> bool:
        row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone()
        return row is not None

    def _reader(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self._local.conn = self._connect(autocommit=True)
        return conn

    def _query(self, sql: str, params: Any = None, *, check: bool = True) -> list[Any]:
        """Rows of one statement on this thread's connection (made anew once if it dropped);
        a schema not made yet reads as an empty index. ``check``: the schema version and
        embedder first (``meta`` itself reads without)."""
        import psycopg

        if check:
            self._check_once()
        statement = sql.format(s=self.schema)
        try:
            try:
                return list(self._reader().execute(statement, params).fetchall())
            except psycopg.OperationalError:
                self._local.conn = None
                return list(self._reader().execute(statement, params).fetchall())
        except psycopg.errors.UndefinedTable:
            return []
        except psycopg.Error as exc:
            raise IndexCorruptError(f"{self.location} cannot be read ({exc})") from exc

    def _check_once(self) -> None:
        """On first contact: the schema's version and the embedder it was built with."""
        if self._checked:
            return
        meta = self.meta()
        version = meta.get("schema")
        if version is not None and version != SCHEMA_VERSION:
            raise IndexMismatchError(
                f"{self.location} has schema version {version}; this program reads "
                f"version {SCHEMA_VERSION}: upgrade grounded-rag, or copy the index anew "
                "(rag index --rebuild PATHS)"
            )
        check_settings(self.location, meta, self.embedder_name, None)
        self._checked = True

    # reading ------------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        rows = self._query("SELECT key, value FROM {s}.meta", check=False)
        return {str(k): str(v) for k, v in rows}

    def documents(self) -> list[DocumentInfo]:
        rows = self._query(
            "SELECT d.doc_id, d.title, d.source, d.language, d.published,"
            " (SELECT count(*) FROM {s}.chunks c WHERE c.doc_id = d.doc_id),"
            " length(d.text), d.added_at, d.content_hash FROM {s}.documents d ORDER BY d.title"
        )
        return [DocumentInfo(*r) for r in rows]

    def document(self, doc_id: str) -> Document | None:
        rows = self._query(
            "SELECT doc_id, title, source, text, content_hash, language, published, metadata"
            " FROM {s}.documents WHERE doc_id = %s",
            (doc_id,),
        )
        return Document(*rows[0]) if rows else None

    def count_chunks(self) -> int:
        rows = self._query("SELECT count(*) FROM {s}.chunks")
        return int(rows[0][0]) if rows else 0

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        rows = self._query(
            'SELECT chunk_id, doc_id, ordinal, start, "end", text, sentences, n_tokens'
            " FROM {s}.chunks WHERE doc_id = %s ORDER BY ordinal",
            (doc_id,),
        )
        return [_chunk(r) for r in rows]

    def hashes_by_source(self) -> dict[str, tuple[str, str]]:
        rows = self._query("SELECT source, doc_id, content_hash FROM {s}.documents")
        return {r[0]: (r[1], r[2]) for r in rows}

    def export(self) -> IndexExport:
        from index.vectors import FaissIndex

        rows = self._query("SELECT chunk_id, text, embedding::text FROM {s}.chunks ORDER BY 1")
        if not rows:
            raise IndexCorruptError(f"{self.location} holds no index yet: add documents first")
        ids = [int(r[0]) for r in rows]
        vectors = np.array([json.loads(r[2]) for r in rows], dtype=np.float32)
        exact = FaissIndex(vectors.shape[1])
        exact.add(ids, vectors)
        return IndexExport(ids, [r[1] for r in rows], vectors, exact)

    def search(
        self, query: str, query_vector: Vectors, options: SearchOptions, k: int
    ) -> list[Hit]:
        meta = self.meta()
        n = int(meta.get("n_chunks") or 0)
        if n == 0:
            return []
        params = {
            "qv": _vector_text(query_vector.reshape(-1)),
            "q": join_number_groups(query),
            "cand": options.candidates,
            "n": n,
            "avgdl": max(float(meta.get("n_terms") or 0) / n, 1.0),
            "rrf": options.rrf_k,
            "w": options.bm25_weight,
            "k": k,
        }
        rows = self._query(SEARCH, params)
        hits = []
        for r in rows:
            hits.append(Hit(_chunk(r), r[8], r[9], float(r[10]), r[11], r[12], r[13]))
        return hits

    # writing ------------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """One writer at a time, across processes and machines: a session advisory lock,
        released when the block ends or the writer's connection dies (SIGKILL included)."""
        conn = self._connect(autocommit=True)
        try:
            conn.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (_LOCK_SPACE, self.schema))
            self._writer = conn
            yield
        finally:
            self._writer = None
            conn.close()

    def commit(
        self,
        docs: Sequence[Document],
        drafts: Sequence[Sequence[ChunkDraft]],
        vectors: Vectors,
        delete: Sequence[str],
        settings: IndexSettings,
        *,
        fresh: bool = False,
    ) -> None:
        import psycopg

        if self._writer is None:
            raise RuntimeError("commit outside writing()")
        conn = self._writer
        try:
            with conn.transaction():
                self._write(
                    conn, docs, drafts, vectors, delete=delete, settings=settings, fresh=fresh
                )
        except psycopg.errors.UndefinedFile as exc:  # no pgvector on the server
            raise IndexWriteError(
                f"{self.location}: the server has no pgvector ({exc}); install the extension "
                "there, or use the local server: rag db start"
            ) from exc
        except psycopg.errors.InsufficientPrivilege as exc:
            raise IndexWriteError(
                f"{self.location}: not allowed ({exc}); grant CREATE on the database to this "
                "user, or have an administrator run CREATE EXTENSION vector once"
            ) from exc
        except psycopg.Error as exc:
            raise IndexWriteError(
                f"cannot write to {self.location} ({exc}); nothing of this write was kept"
            ) from exc
        self._checked = False

    def _write(
        self,
        conn: Any,
        docs: Sequence[Document],
        drafts: Sequence[Sequence[ChunkDraft]],
        vectors: Vectors,
        *,
        delete: Sequence[str],
        settings: IndexSettings,
        fresh: bool,
    ) -> None:
        s = self.schema
        if fresh:
            conn.execute(f"DROP SCHEMA IF EXISTS {s} CASCADE")
        exists = conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name"
            " = 'meta'",
            (s,),
        ).fetchone()
        if not exists:
            if not self._has_vector(conn):
                conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            conn.execute(SCHEMA.format(s=s, dim=settings.dim))
            conn.execute(f"INSERT INTO {s}.meta VALUES ('schema', %s)", (SCHEMA_VERSION,))
        else:
            meta = dict(conn.execute(f"SELECT key, value FROM {s}.meta").fetchall())
            check_settings(self.location, meta, settings.embedder, None)
        if delete:
            conn.execute(FORGET_TERMS.format(s=s), (list(delete),))
            conn.execute(f"DELETE FROM {s}.documents WHERE doc_id = ANY(%s)", (list(delete),))
        now = datetime.now(UTC).isoformat(timespec="seconds")
        row = 0
        with conn.cursor() as cur:
            for doc, ds in zip(docs, drafts, strict=True):
                cur.execute(
                    f"INSERT INTO {s}.documents VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (doc.doc_id, doc.title, doc.source, doc.text, doc.content_hash,
                     doc.language, doc.published, json.dumps(doc.metadata), now),
                )  # fmt: skip
                config = _CONFIGS.get(doc.language, "simple")
                cur.executemany(
                    INSERT_CHUNK.format(s=s),
                    [
                        (doc.doc_id, i, d.start, d.end, doc.text[d.start : d.end], d.n_tokens,
                         json.dumps([[x.start, x.end] for x in d.sentences]),
                         _vector_text(vectors[row + i]), config,
                         join_number_groups(doc.text[d.start : d.end]))
                        for i, d in enumerate(ds)
                    ],
                )  # fmt: skip
                row += len(ds)
        if docs:
            conn.execute(COUNT_TERMS.format(s=s), ([d.doc_id for d in docs],))
        conn.execute(f"DELETE FROM {s}.terms WHERE df <= 0")
        totals = conn.execute(f"SELECT count(*), coalesce(sum(n_terms), 0) FROM {s}.chunks")
        n_chunks, n_terms = totals.fetchone()
        meta = settings.as_meta() | {"n_chunks": str(n_chunks), "n_terms": str(n_terms)}
        conn.cursor().executemany(
            f"INSERT INTO {s}.meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE"
            " SET value = EXCLUDED.value",
            list(meta.items()),
        )
