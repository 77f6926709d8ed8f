"""The embedder's precision switch: bf16 must give the vectors float32 gives, only sooner."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from index import embedders
from index.embedders import make_embedder, resolve_precision


def test_precision_names() -> None:
    assert resolve_precision("fp32") == "fp32"
    assert resolve_precision("bf16") == "bf16"
    with pytest.raises(ValueError, match="unknown embedder precision 'int4'"):
        resolve_precision("int4")


def test_auto_follows_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedders, "_cpu_has_bf16", lambda: False)
    assert resolve_precision("auto") == "fp32"
    monkeypatch.setattr(embedders, "_cpu_has_bf16", lambda: True)
    assert resolve_precision("auto") == "bf16"


@pytest.mark.integration
def test_bf16_vectors_match_fp32(real_embedder: Any) -> None:
    texts = [
        "Wagner chief Yevgeny Prigozhin said his fighters had taken the city hall.",
        "Laut Bild sollen bei den Kämpfen um Bachmut 20.000 Soldaten gestorben sein.",
        "The Ukrainian general staff reported 150 attacks in 24 hours.",
    ]
    fp32 = make_embedder("embeddinggemma-300m", precision="fp32")
    bf16 = make_embedder("embeddinggemma-300m", precision="bf16")
    for kind in ("document", "query"):
        a = fp32.embed(texts, kind)  # type: ignore[arg-type]
        b = bf16.embed(texts, kind)  # type: ignore[arg-type]
        assert b.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
        # measured 0.9987 at worst on 48 seed chunks
        assert float((a * b).sum(axis=1).min()) >= 0.995


def test_bulk_kernel_settings_leave_a_users_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", raising=False)
    monkeypatch.setenv("LRU_CACHE_CAPACITY", "64")
    embedders.lean_kernels_for_bulk_embedding()
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "0"
    assert os.environ["LRU_CACHE_CAPACITY"] == "64"
