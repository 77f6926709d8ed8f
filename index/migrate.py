"""Copy an index from one backend to another without embedding anything again: documents,
chunks with their offsets and sentence spans, and the stored vectors, in one commit (all or
nothing on either backend)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.backend import Backend, IndexSettings
from index.chunking import ChunkDraft
from index.errors import IndexCorruptError, IndexMismatchError
from index.types import Document

__all__ = ["CopyReport", "copy_index"]


@dataclass(frozen=True)
class CopyReport:
    documents: int
    chunks: int
    embedder: str


def copy_index(source: Backend, target: Backend, *, replace: bool = False) -> CopyReport:
    """Copy every document of ``source`` into ``target``; a target that already holds
    documents is refused unless ``replace`` (then it is emptied in the same commit)."""
    meta = source.meta()
    if not meta.get("dim") or not source.documents():
        raise IndexCorruptError(f"{source.location} holds no documents to copy")
    if target.documents() and not replace:
        raise IndexMismatchError(
            f"{target.location} already holds documents; copying would mix two indexes. "
            "Replace them with --rebuild, or name an empty target"
        )
    exported = source.export()
    row = {cid: i for i, cid in enumerate(exported.ids)}
    docs: list[Document] = []
    drafts: list[list[ChunkDraft]] = []
    rows: list[int] = []
    for info in source.documents():
        doc = source.document(info.doc_id)
        if doc is None:  # removed while we copied: the copy is of what stayed
            continue
        chunks = source.doc_chunks(doc.doc_id)
        docs.append(doc)
        drafts.append([ChunkDraft(c.start, c.end, c.sentences, c.n_tokens) for c in chunks])
        rows.extend(row[c.chunk_id] for c in chunks)
    settings = IndexSettings(
        meta["embedder"], int(meta["dim"]), int(meta["chunk_tokens"]), int(meta["overlap_tokens"])
    )
    vectors = exported.vectors[np.asarray(rows, dtype=np.int64)]
    with target.writing():
        target.commit(docs, drafts, vectors, [], settings, fresh=True)
    return CopyReport(len(docs), len(rows), settings.embedder)
