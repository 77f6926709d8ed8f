"""Embedders: one Protocol, a sentence-transformers implementation, and a factory table.

Vectors are float32 and L2-normalised, so inner product is cosine similarity.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from index.errors import ModelNotFoundError
from index.models import resolve_model_path

__all__ = [
    "EMBEDDERS",
    "Embedder",
    "SentenceTransformerEmbedder",
    "lean_kernels_for_bulk_embedding",
    "make_embedder",
]

log = logging.getLogger(__name__)

Kind = Literal["query", "document"]
Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into normalised vectors of ``dim`` floats."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(
        self,
        texts: Sequence[str],
        kind: Kind,
        titles: Sequence[str] | None = None,
        progress: bool = False,
    ) -> Vectors:
        """Embed texts as queries or as documents; ``titles`` may sharpen document vectors."""
        ...


Precision = Literal["auto", "fp32", "bf16"]


def _cpu_has_bf16() -> bool:
    """True when the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX); elsewhere bf16 is
    emulated and slower than float32."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(precision: str) -> Literal["fp32", "bf16"]:
    if precision == "auto":
        return "bf16" if _cpu_has_bf16() else "fp32"
    if precision in ("fp32", "bf16"):
        return precision  # type: ignore[return-value]
    raise ValueError(f"unknown embedder precision {precision!r}; known: auto, fp32, bf16")


def lean_kernels_for_bulk_embedding() -> None:
    """Call before the embedder's first use in a process that embeds in bulk (`rag index`).

    bf16 matmuls go through oneDNN; it and PyTorch's ideep layer each keep up to 1,024 kernels
    keyed by input shape, and batches of varying length make many shapes. Caching none cut
    `rag index` of 4,275 chunks into a 101k-chunk index from a 3,710 to a 3,394 MB peak at the
    same rate (9.30 vs 9.16 chunks/s); either cache alone saved about half. Not the default:
    re-making kernels on every call doubles a single query's embedding (53 -> 104 ms p50), which
    interactive processes pay per question. Both settings are read on first use and an explicit
    user setting wins.
    """
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")
    os.environ.setdefault("LRU_CACHE_CAPACITY", "1")


_LOADED: dict[str, Any] = {}
_LOAD_LOCK = threading.Lock()


def _load_sentence_transformer(path: Path) -> Any:
    """Load once per process per path: a 300M model costs ~3 s and 1.2 GB to load."""
    key = str(path)
    with _LOAD_LOCK:
        if key not in _LOADED:
            # the model is local; never let a missing file turn into a hub request
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            log.info("loading embedder from %s", path)
            _LOADED[key] = SentenceTransformer(
                key, device="cpu", local_files_only=True, trust_remote_code=False
            )
        return _LOADED[key]


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory, loaded on first use.

    Uses the model's own ``query``/``document`` prompts when it has them. EmbeddingGemma's
    document prompt is ``title: none | text: ``; the real title is put in its place, which is
    how that model was trained to see titled passages.

    ``precision="bf16"`` runs the model under bfloat16 autocast. On the 2-core AVX512-BF16 machine
    it embedded seed chunks 1.95x faster with vectors at cosine >= 0.9987 to float32 ones, so an
    index built either way can be searched either way. Dynamic int8 was tried and dropped: 2.9x
    faster but cosine 0.85-0.89 to float32 (EmbeddingGemma's activations do not survive
    per-tensor int8).
    """

    def __init__(
        self,
        model: str,
        batch_size: int = 16,
        max_seq_length: int = 512,
        models_dir: Path | None = None,
        precision: str = "auto",
    ) -> None:
        self._model_ref = model
        self.precision = resolve_precision(precision)
        self._models_dir = models_dir
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self._model: Any = None

    @property
    def name(self) -> str:
        return Path(self._model_ref.rstrip("/")).name

    def _get(self) -> Any:
        if self._model is None:
            # resolved on first use, so listing or removing documents needs no model
            path = resolve_model_path(self._model_ref, self._models_dir)
            self._model = _load_sentence_transformer(path)
            self._model.max_seq_length = min(
                self.max_seq_length, self._model.max_seq_length or self.max_seq_length
            )
        return self._model

    @property
    def dim(self) -> int:
        model = self._get()
        getter = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(getter())

    def _prompted(
        self, texts: Sequence[str], kind: Kind, titles: Sequence[str] | None
    ) -> list[str]:
        prompts: dict[str, str] = getattr(self._get(), "prompts", {}) or {}
        prompt = prompts.get(kind, "")
        if kind == "document" and titles is not None and "title: none" in prompt:
            return [
                prompt.replace("title: none", f"title: {t or 'none'}") + x
                for x, t in zip(texts, titles, strict=True)
            ]
        return [prompt + x for x in texts]

    def embed(
        self,
        texts: Sequence[str],
        kind: Kind,
        titles: Sequence[str] | None = None,
        progress: bool = False,
    ) -> Vectors:
        from tqdm import tqdm

        model = self._get()
        dim = self.dim
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        prompted = self._prompted(texts, kind, titles)
        # longest first, so each batch pads to similar lengths and the bar's ETA is honest
        order = sorted(range(len(prompted)), key=lambda i: -len(prompted[i]))
        out = np.zeros((len(prompted), dim), dtype=np.float32)
        with (
            tqdm(total=len(prompted), desc="embedding", unit="chunk", disable=not progress) as bar,
            self._autocast(),
        ):
            for b in range(0, len(order), self.batch_size):
                idx = order[b : b + self.batch_size]
                vecs = model.encode(
                    [prompted[i] for i in idx],
                    batch_size=len(idx),
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
                out[idx] = vecs.astype(np.float32)
                bar.update(len(idx))
        # normalised here in float32: a bf16 norm is off by up to 1e-3
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normalised: Vectors = (out / np.maximum(norms, 1e-12)).astype(np.float32)
        return normalised

    def _autocast(self) -> AbstractContextManager[object]:
        if self.precision != "bf16":
            return nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)


EmbedderFactory = Callable[..., Embedder]
EMBEDDERS: dict[str, EmbedderFactory] = {
    "sentence-transformers": SentenceTransformerEmbedder,
}


def make_embedder(model: str, backend: str = "sentence-transformers", **kwargs: Any) -> Embedder:
    try:
        factory = EMBEDDERS[backend]
    except KeyError:
        raise ModelNotFoundError(
            f"unknown embedder backend {backend!r}; known: {', '.join(sorted(EMBEDDERS))}"
        ) from None
    return factory(model, **kwargs)
