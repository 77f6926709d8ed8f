"""The ``rag`` command: the parser, the global flags and one table from error to exit code.

Each package registers its own subcommands through the ``grounded_rag.commands`` entry-point
group (a ``register(subparsers)`` function): ``rag.commands`` (index, search, ask, docs,
remove, models), ``ui.commands`` (chat), ``eval.commands`` (eval, eval-squad, bench,
judge-eval). This module imports neither ``ui`` nor ``eval``; it finds them as installed
plugins, as it would a third party's. The configuration is built once here and passed down.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rag.config import load_config
from rag.console import err
from rag.errors import RagError

__all__ = ["COMMAND_GROUP", "EXIT_CODES", "main"]

COMMAND_GROUP = "grounded_rag.commands"

# Every known failure ends in one line and one of these codes (README: What happens when…).
# 1 is a finished run with failures the command reports itself (files, thresholds).
EXIT_CODES: tuple[tuple[type[BaseException], str, int], ...] = (
    (ValidationError, "error: configuration: ", 2),
    (RagError, "error: ", 2),
)


def _registrars() -> list[Callable[[Any], None]]:
    """``register`` of every installed package, the product's own commands first."""
    found = sorted(entry_points(group=COMMAND_GROUP), key=lambda ep: (ep.name != "rag", ep.name))
    if not any(ep.name == "rag" for ep in found):
        # not installed (run from a source tree): the product's commands still work
        from rag.commands import register

        return [register]
    return [ep.load() for ep in found]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Grounded answers from your documents.")
    p.add_argument(
        "--index",
        type=Path,
        default=None,
        help="index directory (default: index.dir from config, .rag-index)",
    )
    p.add_argument("--config", type=Path, default=None, help="TOML config (default: ./rag.toml)")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = p.add_subparsers(dest="command", required=True)
    for register in _registrars():
        register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # everything is local; a hub lookup would only stall for a minute and fail
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        config = load_config(args.config)
        rc: int = args.func(args, config)
        return rc
    except KeyboardInterrupt:
        err("interrupted; the index is unchanged unless a commit had finished")
        return 130
    except Exception as exc:
        for kind, prefix, code in EXIT_CODES:
            if isinstance(exc, kind):
                err(f"{prefix}{exc}")
                return code
        raise  # an unknown failure is a bug: its traceback is what a report needs


if __name__ == "__main__":
    raise SystemExit(main())
