"""Terminal output and the assistant every command opens: shared by the commands of each
package (rag, ui, eval), so that they print alike and open the index alike."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from index import Hit
from rag.api import Assistant
from rag.config import Config

__all__ = ["err", "hit_dict", "open_assistant", "out", "print_hits"]


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def open_assistant(args: argparse.Namespace, config: Config) -> Assistant:
    return Assistant.open(args.index, config=config)


def hit_dict(hit: Hit) -> dict[str, Any]:
    d = asdict(hit)
    d["chunk"]["sentences"] = [[s["start"], s["end"]] for s in d["chunk"]["sentences"]]
    return d


def print_hits(hits: Sequence[Hit]) -> None:
    if not hits:
        out("no passages found (is the index empty? add documents with: rag index PATH)")
    for n, h in enumerate(hits, 1):
        ranks = f"dense #{h.dense_rank or '-'} · bm25 #{h.bm25_rank or '-'}"
        out(
            f"{n}. {h.title} [{h.language}]  {h.chunk.doc_id} chars {h.chunk.start}–"
            f"{h.chunk.end}  score {h.score:.4f} ({ranks})"
        )
        body = " ".join(h.chunk.text.split())
        out(
            textwrap.indent(textwrap.fill(textwrap.shorten(body, 420, placeholder=" …"), 96), "   ")
        )
