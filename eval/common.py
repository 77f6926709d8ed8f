"""Shared by the small benchmark scripts: their command line and the index they measure."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rag import Assistant

__all__ = ["open_indexed", "script_parser"]


def script_parser(doc: str | None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--index", type=Path, default=Path(".rag-index"))
    return p


def open_indexed(index: Path) -> Assistant | None:
    """The assistant over ``index``, or None (with the fix printed) when it is empty."""
    assistant = Assistant.open(index)
    if not assistant.documents():
        sys.stderr.write(f"{index} is empty; run: rag --index {index} index seeds/\n")
        return None
    return assistant
