"""Grounded question answering over your own documents: the public API."""

from index import SUPPORTED_SUFFIXES, DocumentNotFoundError, LoadError, ModelNotFoundError
from rag.api import Assistant
from rag.config import Config, load_config
from rag.errors import ConfigError, GeneratorError, RagError
from rag.prompts import ANSWER_LANGUAGES, CANNOT_ANSWER
from rag.types import (
    Answer,
    AnswerEvent,
    AnswerSentence,
    AskOptions,
    Citation,
    Event,
    Evidence,
    SentenceEvent,
    SourcesEvent,
    Timings,
    TokenEvent,
    Turn,
)

__all__ = [
    "ANSWER_LANGUAGES",
    "CANNOT_ANSWER",
    "SUPPORTED_SUFFIXES",
    "Answer",
    "AnswerEvent",
    "AnswerSentence",
    "AskOptions",
    "Assistant",
    "Citation",
    "Config",
    "ConfigError",
    "DocumentNotFoundError",
    "Event",
    "Evidence",
    "GeneratorError",
    "LoadError",
    "ModelNotFoundError",
    "RagError",
    "SentenceEvent",
    "SourcesEvent",
    "Timings",
    "TokenEvent",
    "Turn",
    "load_config",
]
