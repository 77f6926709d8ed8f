"""Exceptions raised by the index package; each message names the value at fault and the fix."""

from __future__ import annotations


class IndexError_(Exception):
    """Root of every error raised by the ``index`` package."""


class LoadError(IndexError_):
    """A file could not be turned into a document."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ModelNotFoundError(IndexError_):
    """A model is not in the local cache (or a configured path does not exist)."""


class ModelFetchError(IndexError_):
    """Fetching or verifying a model failed."""


class IndexCorruptError(IndexError_):
    """The on-disk index cannot be read."""


class IndexMismatchError(IndexError_):
    """The index was built with a different embedder than the one configured."""


class DocumentNotFoundError(IndexError_):
    """No document with the given id is indexed."""
