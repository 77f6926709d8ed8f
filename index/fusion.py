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


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = 60, weights: Sequence[float] | None = None
) -> list[Fused]:
    """Fuse ranked id lists: score(d) = Σ w_i / (k + rank_i(d)); ties keep first-list order.

    The classic k = 60 makes rank gaps tiny (1/61 vs 1/62 ≈ 0.00026), so any second list
    decides the order. A small k with a lower weight for the second list lets it break
    ties and lift exact-term matches without overruling the first list's order.
    """
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    ranks: dict[int, list[int | None]] = {}
    for list_no, ranking in enumerate(rankings):
        for rank, cid in enumerate(ranking, start=1):
            slot = ranks.setdefault(cid, [None] * len(rankings))
            if slot[list_no] is None:
                slot[list_no] = rank
    fused = [
        Fused(
            cid,
            sum(w / (k + r) for w, r in zip(weights, rs, strict=True) if r is not None),
            tuple(rs),
        )
        for cid, rs in ranks.items()
    ]
    order = {cid: i for i, cid in enumerate(ranks)}
    fused.sort(key=lambda f: (-f.score, order[f.chunk_id]))
    return fused
