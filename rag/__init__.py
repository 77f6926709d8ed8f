"""Grounded question answering over your own documents: the public API."""

from rag.api import Assistant
from rag.config import Config, load_config
from rag.errors import ConfigError, RagError

__all__ = ["Assistant", "Config", "ConfigError", "RagError", "load_config"]
