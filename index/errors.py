"""Exceptions raised by the index package; each message names the value at fault and the fix.

``RagError`` is the root of every error the project raises on purpose, in every package: it
lives here because ``index`` is the package everything else may import. A ``RagError``'s
message is written for the user; the CLI prints it as one line (rag/cli.py, EXIT_CODES).
"""

from __future__ import annotations


class RagError(Exception):
    """Root of every error of this project; the message names the cause and the fix."""


class RagIndexError(RagError):
    """Root of every error raised by the ``index`` package."""


class LoadError(RagIndexError):
    """A file could not be turned into a document."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ModelNotFoundError(RagIndexError):
    """A model is not in the local cache (or a configured path does not exist)."""


class ModelFetchError(RagIndexError):
    """Fetching or verifying a model failed."""


class IndexCorruptError(RagIndexError):
    """The on-disk index cannot be read."""


class IndexWriteError(RagIndexError):
    """The index folder cannot be written (no space, no permission, read-only); nothing
    already stored was changed."""


class IndexMismatchError(RagIndexError):
    """The index was built with a different embedder than the one configured."""


class DocumentNotFoundError(RagIndexError):
    """No document with the given id is indexed."""
