"""The SQL of the postgres backend (``index/postgres.py``): its schema, writes and search.

``{s}`` is the index's schema; psycopg fills the ``%s`` / ``%(name)s`` parameters.
"""

__all__ = ["COUNT_TERMS", "FORGET_TERMS", "INSERT_CHUNK", "SCHEMA", "SEARCH"]

K1, B = 1.5, 0.75  # BM25 as the local backend's bm25s (Lucene variant)

SCHEMA = """
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
INSERT_CHUNK = """
INSERT INTO {s}.chunks (doc_id, ordinal, start, "end", text, n_tokens, sentences, embedding,
                        lexemes, n_terms)
SELECT %s, %s, %s, %s, %s, %s, %s, %s::vector, v, coalesce(
    (SELECT sum(coalesce(array_length(positions, 1), 1)) FROM unnest(v)), 0)
FROM to_tsvector(%s::regconfig, %s) AS v
"""

COUNT_TERMS = """
INSERT INTO {s}.terms (lexeme, df)
SELECT u.lexeme, count(*) FROM {s}.chunks c, unnest(c.lexemes) u
WHERE c.doc_id = ANY(%s) GROUP BY u.lexeme ORDER BY u.lexeme
ON CONFLICT (lexeme) DO UPDATE SET df = {s}.terms.df + EXCLUDED.df
"""

FORGET_TERMS = """
UPDATE {s}.terms t SET df = t.df - x.n
FROM (SELECT u.lexeme, count(*) AS n FROM {s}.chunks c, unnest(c.lexemes) u
      WHERE c.doc_id = ANY(%s) GROUP BY u.lexeme) x
WHERE t.lexeme = x.lexeme
"""

# ties keep the dense list's order, then the lexical one's, as reciprocal_rank_fusion does
SEARCH = """
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
""".replace("%(k1)s", str(K1)).replace("%(b)s", str(B))
