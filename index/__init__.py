"""Loading, chunking, embedding, storing and searching documents. Imports nothing of ours."""

from index.catalog import BACKENDS, ChunkingOptions, Index, make_backend
from index.embedders import (
    EMBEDDERS,
    Embedder,
    SentenceTransformerEmbedder,
    lean_kernels_for_bulk_embedding,
    make_embedder,
)
from index.errors import (
    DocumentNotFoundError,
    IndexCorruptError,
    IndexMismatchError,
    IndexWriteError,
    LoadError,
    ModelFetchError,
    ModelNotFoundError,
    RagError,
    RagIndexError,
)
from index.loaders import SUPPORTED_SUFFIXES
from index.models import MODELS, ModelSpec, default_cache_dir, fetch, model_status
from index.types import (
    Chunk,
    Document,
    DocumentInfo,
    Hit,
    IndexReport,
    SearchOptions,
    Span,
)
from index.vectors import VECTOR_INDEXES, FaissIndex, VectorIndex

__all__ = [
    "BACKENDS",
    "EMBEDDERS",
    "MODELS",
    "SUPPORTED_SUFFIXES",
    "VECTOR_INDEXES",
    "Chunk",
    "ChunkingOptions",
    "Document",
    "DocumentInfo",
    "DocumentNotFoundError",
    "Embedder",
    "FaissIndex",
    "Hit",
    "Index",
    "IndexCorruptError",
    "IndexMismatchError",
    "IndexReport",
    "IndexWriteError",
    "LoadError",
    "ModelFetchError",
    "ModelNotFoundError",
    "ModelSpec",
    "RagError",
    "RagIndexError",
    "SearchOptions",
    "SentenceTransformerEmbedder",
    "Span",
    "VectorIndex",
    "default_cache_dir",
    "fetch",
    "lean_kernels_for_bulk_embedding",
    "make_backend",
    "make_embedder",
    "model_status",
]
