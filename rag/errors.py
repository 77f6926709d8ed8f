"""Exceptions of the ``rag`` package, under the project's one root ``RagError`` (defined in
``index.errors``, the lowest package, so that index errors share it)."""

from __future__ import annotations

from index.errors import RagError

__all__ = ["ConfigError", "GeneratorError", "RagError"]


class ConfigError(RagError):
    """The configuration is invalid; the message names the setting and the fix."""


class GeneratorError(RagError):
    """The generator or judge backend failed (unreachable, an HTTP error, a bad reply);
    the message names the server and what to check."""
