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
from index.types import Chunk, Document, DocumentInfo, Hit, SearchOptions, Span

__all__ = ["SCHEMA_VERSION", "PostgresBackend", "redact"]

SCHEMA_VERSION = "1"
_CONFIGS = {"en": "english", "de": "german"}  # any other language: 'simple'
_LOCK_SPACE = 0x52414731  # advisory lock: this number and the schema's hash
_K1, _B = 1.5, 0.75  # BM25 as the local backend's bm25s (Lucene variant)
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

    def _query(self, sql: str, params: Any = None) -> list[Any]:
        import psycopg

        self._check_once()
        try:
            rows = self._reader().execute(sql.format(s=self.schema), params).fetchall()
        except psycopg.OperationalError as exc:  # a dropped connection: once more, anew
            self._local.conn = None
            try:
                rows = self._reader().execute(sql.format(s=self.schema), params).fetchall()
            except psycopg.Error as again:
                raise RagIndexError(f"{self.location}: {again}") from again
            del exc
        except psycopg.errors.UndefinedTable:
            return []  # schema not made yet: an empty index
        except psycopg.Error as exc:
            raise IndexCorruptError(f"{self.location} cannot be read ({exc})") from exc
        return list(rows)

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
        rows = self._query_raw("SELECT key, value FROM {s}.meta")
        return {str(k): str(v) for k, v in rows}

    def _query_raw(self, sql: str) -> list[Any]:
        import psycopg

        try:
            return list(self._reader().execute(sql.format(s=self.schema)).fetchall())
        except psycopg.errors.UndefinedTable:
            return []
        except psycopg.Error as exc:
            raise IndexCorruptError(f"{self.location} cannot be read ({exc})") from exc

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
        rows = self._query(_SEARCH, params)
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
            conn.execute(_SCHEMA.format(s=s, dim=settings.dim))
            conn.execute(f"INSERT INTO {s}.meta VALUES ('schema', %s)", (SCHEMA_VERSION,))
        else:
            meta = dict(conn.execute(f"SELECT key, value FROM {s}.meta").fetchall())
            check_settings(self.location, meta, settings.embedder, None)
        if delete:
            conn.execute(_FORGET_TERMS.format(s=s), (list(delete),))
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
                    _INSERT_CHUNK.format(s=s),
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
            conn.execute(_COUNT_TERMS.format(s=s), ([d.doc_id for d in docs],))
        conn.execute(f"DELETE FROM {s}.terms WHERE df <= 0")
        totals = conn.execute(f"SELECT count(*), coalesce(sum(n_terms), 0) FROM {s}.chunks")
        n_chunks, n_terms = totals.fetchone()
        meta = settings.as_meta() | {"n_chunks": str(n_chunks), "n_terms": str(n_terms)}
        conn.cursor().executemany(
            f"INSERT INTO {s}.meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE"
            " SET value = EXCLUDED.value",
            list(meta.items()),
        )


_SCHEMA = """
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE {s}.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE {s}.documents (
    doc_id text PRIMARY KEY,
    title text NOT NULL,
    source text NOT NULL UNIQUE,
    text text NOT NULL,
    content_hash text NOT NULL,
    language text NOT NULL,
    published text,
    metadata jsonb NOT NULL,
    added_at text NOT NULL
);
CREATE TABLE {s}.chunks (
    chunk_id bigserial PRIMARY KEY,
    doc_id text NOT NULL REFERENCES {s}.documents(doc_id) ON DELETE CASCADE,
    ordinal integer NOT NULL,
    start integer NOT NULL,
    "end" integer NOT NULL,
    text text NOT NULL,
    n_tokens integer NOT NULL,
    sentences jsonb NOT NULL,
    embedding vector({dim}) NOT NULL,
    lexemes tsvector NOT NULL,
    n_terms integer NOT NULL
);
CREATE INDEX ON {s}.chunks (doc_id);
CREATE INDEX ON {s}.chunks USING hnsw (embedding vector_cosine_ops);
CREATE INDEX ON {s}.chunks USING gin (lexemes);
CREATE TABLE {s}.terms (lexeme text PRIMARY KEY, df integer NOT NULL);
"""

# n_terms: the chunk's length in lexeme occurrences, BM25's document length
_INSERT_CHUNK = """
INSERT INTO {s}.chunks (doc_id, ordinal, start, "end", text, n_tokens, sentences, embedding,
                        lexemes, n_terms)
SELECT %s, %s, %s, %s, %s, %s, %s, %s::vector, v, coalesce(
    (SELECT sum(coalesce(array_length(positions, 1), 1)) FROM unnest(v)), 0)
FROM to_tsvector(%s::regconfig, %s) AS v
"""

_COUNT_TERMS = """
INSERT INTO {s}.terms (lexeme, df)
SELECT u.lexeme, count(*) FROM {s}.chunks c, unnest(c.lexemes) u
WHERE c.doc_id = ANY(%s) GROUP BY u.lexeme ORDER BY u.lexeme
ON CONFLICT (lexeme) DO UPDATE SET df = {s}.terms.df + EXCLUDED.df
"""

_FORGET_TERMS = """
UPDATE {s}.terms t SET df = t.df - x.n
FROM (SELECT u.lexeme, count(*) AS n FROM {s}.chunks c, unnest(c.lexemes) u
      WHERE c.doc_id = ANY(%s) GROUP BY u.lexeme) x
WHERE t.lexeme = x.lexeme
"""

# ties keep the dense list's order, then the lexical one's, as reciprocal_rank_fusion does
_SEARCH = """
WITH dense AS (
    SELECT chunk_id, embedding <=> %(qv)s::vector AS dist
    FROM {s}.chunks ORDER BY embedding <=> %(qv)s::vector LIMIT %(cand)s
), dense_r AS (
    SELECT chunk_id, 1 - dist AS sim, row_number() OVER (ORDER BY dist, chunk_id) AS r FROM dense
), words AS (
    SELECT DISTINCT unnest(tsvector_to_array(
        to_tsvector('english', %(q)s) || to_tsvector('german', %(q)s)
        || to_tsvector('simple', %(q)s))) AS lexeme
), q AS (
    SELECT t.lexeme, ln(1 + (%(n)s - t.df + 0.5) / (t.df + 0.5)) AS idf
    FROM {s}.terms t JOIN words USING (lexeme)
    WHERE strpos(t.lexeme, E'\\\\') = 0  -- quote_literal would write E'…' for it
), tsq AS (
    SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS query FROM q
), lex AS (
    SELECT c.chunk_id, sum(q.idf * u.tf / (u.tf + %(k1)s * (1 - %(b)s + %(b)s * c.n_terms
        / %(avgdl)s))) AS score
    FROM tsq, {s}.chunks c
    CROSS JOIN LATERAL (
        SELECT lexeme, coalesce(array_length(positions, 1), 1) AS tf FROM unnest(c.lexemes)
    ) u
    JOIN q ON q.lexeme = u.lexeme
    WHERE c.lexemes @@ tsq.query
    GROUP BY c.chunk_id ORDER BY score DESC, c.chunk_id LIMIT %(cand)s
), lex_r AS (
    SELECT chunk_id, row_number() OVER (ORDER BY score DESC, chunk_id) AS r FROM lex
), fused AS (
    SELECT coalesce(d.chunk_id, l.chunk_id) AS chunk_id, d.r AS dr, l.r AS lr, d.sim,
           coalesce(1.0 / (%(rrf)s + d.r), 0) + %(w)s * coalesce(1.0 / (%(rrf)s + l.r), 0) AS score
    FROM dense_r d FULL OUTER JOIN lex_r l ON d.chunk_id = l.chunk_id
    ORDER BY score DESC, d.r NULLS LAST, l.r LIMIT %(k)s
)
SELECT c.chunk_id, c.doc_id, c.ordinal, c.start, c."end", c.text, c.sentences, c.n_tokens,
       doc.title, doc.language, f.score, f.dr, f.lr, f.sim
FROM fused f JOIN {s}.chunks c USING (chunk_id) JOIN {s}.documents doc USING (doc_id)
ORDER BY f.score DESC, f.dr NULLS LAST, f.lr
""".replace("%(k1)s", str(_K1)).replace("%(b)s", str(_B))
