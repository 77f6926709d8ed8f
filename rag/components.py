"""Build the generator and the support checker named in the config (factory tables)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rag.config import AnswerConfig, IndexConfig
from rag.errors import ConfigError
from rag.generators import ExtractiveGenerator, Generator, LogprobModel
from rag.verify import ModelJudge, RuleOnlyChecker, SupportChecker

__all__ = ["CHECKERS", "GENERATORS", "make_checker", "make_generator"]


def _llamacpp(a: AnswerConfig, i: IndexConfig) -> Generator:
    from rag.llamacpp import LlamaCppGenerator

    return LlamaCppGenerator(
        a.model,
        n_ctx=a.n_ctx,
        threads=a.threads,
        repack=a.repack,
        models_dir=i.models_dir,
        prompt_lookup=a.prompt_lookup,
    )


def _openai(a: AnswerConfig, i: IndexConfig) -> Generator:
    from rag.openai_compat import OpenAICompatibleGenerator

    return OpenAICompatibleGenerator(a.base_url, a.openai_model, a.api_key_env, a.timeout)


def _extractive(a: AnswerConfig, i: IndexConfig) -> Generator:
    return ExtractiveGenerator()


GENERATORS: dict[str, Callable[[AnswerConfig, IndexConfig], Generator]] = {
    "llamacpp": _llamacpp,
    "openai": _openai,
    "extractive": _extractive,
}


def make_generator(answer: AnswerConfig, index: IndexConfig) -> Generator:
    factory = GENERATORS.get(answer.generator)
    if factory is None:  # looked up first: a KeyError inside a constructor is not this
        known = ", ".join(sorted(GENERATORS))
        raise ConfigError(
            f"answer.generator = {answer.generator!r} is unknown; use one of: {known}"
        )
    return factory(answer, index)


def _model_judge(generator: Generator, cache_file: Path | None) -> SupportChecker:
    if not isinstance(generator, LogprobModel):
        # the extractive generator has no model to ask; only the rule can check
        return RuleOnlyChecker()
    return ModelJudge(generator, cache_file=cache_file)


CHECKERS: dict[str, Callable[[Generator, Path | None], SupportChecker]] = {
    "model": _model_judge,
    "rule-only": lambda _generator, _cache: RuleOnlyChecker(),
}


def make_checker(
    answer: AnswerConfig, generator: Generator, cache_file: Path | None = None
) -> SupportChecker:
    factory = CHECKERS.get(answer.judge)
    if factory is None:
        known = ", ".join(sorted(CHECKERS))
        raise ConfigError(f"answer.judge = {answer.judge!r} is unknown; use one of: {known}")
    return factory(generator, cache_file)
