"""Reciprocal rank fusion of ranked lists (Cormack et al. 2009)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Fused", "reciprocal_rank_fusion"]


@dataclass(frozen=True)
class Fused:
    chunk_id: int
    score: float
    ranks: tuple[int | None, ...]  # 1-based rank in each input list, None when absent


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = 60) -> list[Fused]:
    """Fuse ranked id lists: score(d) = Σ 1 / (k + rank_i(d)); ties keep first-list order.

    k = 60 damps the difference between rank 1 and rank 2 (1/61 vs 1/62) so one retriever's
    top hit cannot drown what both retrievers agree on.
    """
    ranks: dict[int, list[int | None]] = {}
    for list_no, ranking in enumerate(rankings):
        for rank, cid in enumerate(ranking, start=1):
            slot = ranks.setdefault(cid, [None] * len(rankings))
            if slot[list_no] is None:
                slot[list_no] = rank
    fused = [Fused(cid, sum(1.0 / (k + r) for r in rs if r is not None), tuple(rs))
             for cid, rs in ranks.items()]
    order = {cid: i for i, cid in enumerate(ranks)}
    fused.sort(key=lambda f: (-f.score, order[f.chunk_id]))
    return fused
