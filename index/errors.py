"""Exceptions raised by the index package; each message names the value at fault and the fix."""

from __future__ import annotations


class RagIndexError(Exception):
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


class IndexMismatchError(RagIndexError):
    """The index was built with a different embedder than the one configured."""


class DocumentNotFoundError(RagIndexError):
    """No document with the given id is indexed."""
