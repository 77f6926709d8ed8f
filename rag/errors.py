"""Exceptions of the ``rag`` package. Errors from ``index`` pass through unchanged."""

from __future__ import annotations


class RagError(Exception):
    """Root of every error raised by the ``rag`` package."""


class ConfigError(RagError):
    """The configuration is invalid; the message names the setting and the fix."""


class GeneratorError(RagError):
    """The generator or judge backend failed (unreachable, an HTTP error, a bad reply);
    the message names the server and what to check."""
