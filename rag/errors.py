"""Exceptions of the ``rag`` package. Errors from ``index`` pass through unchanged."""

from __future__ import annotations


class RagError(Exception):
    """Root of every error raised by the ``rag`` package."""


class ConfigError(RagError):
    """The configuration is invalid; the message names the setting and the fix."""
