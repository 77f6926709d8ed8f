"""A local GGUF model run in-process by llama.cpp (through xllamacpp).

The model loads once per process and parameters (``_SERVERS``), on first use. Requests are
serialised: the runtime has one slot, and keeping it means the KV cache of the last prompt is
reused, so the fixed system prompt is not prefilled again.
"""

from __future__ import annotations

import importlib.metadata
import logging
import queue
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from index.models import resolve_model_path
from rag.errors import GeneratorError
from rag.generators import (
    GenerationRequest,
    chat_body,
    judge_body,
    path_body,
    path_from_choice,
    yes_probability_from_choice,
)
from rag.prompts import Message

__all__ = ["LlamaCppGenerator", "cpu_kernels", "default_repack", "server_params"]

log = logging.getLogger(__name__)

_Key = tuple[str, int, int, bool, bool]  # model path, n_ctx, threads, repack, prompt lookup
_SERVERS: dict[_Key, Any] = {}
_LOCKS: dict[_Key, threading.Lock] = {}

# Prompt-lookup drafts (llama.cpp's ngram-simple speculative decoding): the last 3 tokens are
# looked up in the context and the up to 8 that followed them are checked in one batch.
# Measured on 30 seed questions (the answers' first to last token, one process each):
# decoding 85.9 s -> 73.9 s; 3/8 against 2/12 or llama.cpp's ngram-mod made no difference
# beyond the run-to-run noise.
_LOOKUP_N, _LOOKUP_DRAFT = 3, 8
_GUARD = threading.Lock()


def _import_xllamacpp() -> Any:
    try:
        import xllamacpp
    except ImportError as exc:
        raise ImportError(
            "the local generator needs xllamacpp; fix: pip install xllamacpp"
        ) from exc
    return xllamacpp


def enabled_features(system_info: str) -> list[str]:
    """The features llama.cpp's system info marks on ("AVX2 = 1 | AVX512 = 1 | …")."""
    return re.findall(r"(\w+) = 1\b", system_info)


def cpu_kernels() -> str:
    """The CPU kernels of the installed llama.cpp build ("AVX2 … AVX512 AVX512_VNNI …"):
    the prebuilt xllamacpp wheel has AVX2 at most, and `make setup` compiles one for a CPU with
    AVX-512, whose prefill is twice as fast unrepacked (Makefile, target llama). Timings and
    judge probabilities are comparable only between runs with the same kernels."""
    return " ".join(enabled_features(_import_xllamacpp().get_system_info()))


def default_repack(kernels: str) -> bool:
    """Whether llama.cpp should repack the weights, for a build with these CPU kernels.

    Measured on this project's machines (2 threads, the default model, a ~460-token prompt):
    the prebuilt AVX2 wheel prefills as fast either way (77 tokens/s) and generates faster
    repacked (14.0 against 9.6 tokens/s). A build for an AVX-512 CPU prefills twice as fast
    in the file's layout (150 tokens/s, generation 11.9), and on a CPU with AMX its repacked
    layout crashes the process (segmentation fault at the first prefill, llama.cpp of
    xllamacpp 2026.10.11549, and llama-bench of the same source).
    """
    return "AVX512" not in kernels.split()


def server_params(
    model_path: str,
    n_ctx: int,
    threads: int,
    repack: bool | None = None,
    prompt_lookup: bool = False,
) -> Any:
    """xllamacpp's parameters for a llama.cpp server on 127.0.0.1 with this model: one slot
    with its prompt cache, quiet logs; ``repack`` unset is chosen by :func:`default_repack`
    (every server of a process must follow it: a repacked AVX-512 build crashes on AMX);
    ``prompt_lookup``: speculative drafts from n-grams of the context."""
    xl = _import_xllamacpp()
    params = xl.CommonParams()
    params.model.path = model_path
    params.n_ctx = n_ctx
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.n_parallel = 1
    params.cache_prompt = True
    params.no_extra_bufts = not (default_repack(cpu_kernels()) if repack is None else repack)
    params.verbosity = -1
    if prompt_lookup:
        spec = params.speculative
        spec.types = [xl.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
        spec.ngram_simple.size_n = _LOOKUP_N
        spec.ngram_simple.size_m = _LOOKUP_DRAFT
        spec.draft.n_max = _LOOKUP_DRAFT
        spec.draft.n_min = 0
        params.speculative = spec
    return params


class LlamaCppGenerator:
    def __init__(
        self,
        model: str,
        *,
        n_ctx: int = 4096,
        threads: int = 2,
        models_dir: Path | None = None,
        repack: bool | None = None,
        prompt_lookup: bool = True,  # as answer.prompt_lookup
    ) -> None:
        self._model_ref = model
        self._models_dir = models_dir
        self.n_ctx = n_ctx
        self.threads = threads
        self.repack = repack
        self.prompt_lookup = prompt_lookup
        self._key: _Key | None = None
        self._build_id: str | None = None

    @property
    def model_id(self) -> str:
        return Path(self._model_ref).stem if "/" in self._model_ref else self._model_ref

    @property
    def build_id(self) -> str:
        # the version alone does not tell the prebuilt wheel from a build for this CPU: the
        # kernels do, and the weight layout changes the sums too
        if self._build_id is None:
            kernels = cpu_kernels()
            repack = default_repack(kernels) if self.repack is None else self.repack
            version = importlib.metadata.version("xllamacpp")
            self._build_id = f"xllamacpp {version}; {kernels}; repack={repack}"
        return self._build_id

    def _server(self) -> tuple[Any, threading.Lock]:
        if self._key is None:
            path = resolve_model_path(self._model_ref, self._models_dir)
            repack = default_repack(cpu_kernels()) if self.repack is None else self.repack
            self._key = (str(path), self.n_ctx, self.threads, repack, self.prompt_lookup)
        key = self._key
        with _GUARD:
            if key not in _SERVERS:
                params = server_params(*key)
                log.info(
                    "loading %s (n_ctx=%d, threads=%d, repack=%s, prompt lookup=%s; "
                    "llama.cpp kernels: %s)",
                    *key,
                    cpu_kernels(),
                )
                _SERVERS[key] = _import_xllamacpp().Server(params)
                _LOCKS[key] = threading.Lock()
            return _SERVERS[key], _LOCKS[key]

    def stream(
        self, request: GenerationRequest, stop: threading.Event | None = None
    ) -> Iterator[str]:
        server, lock = self._server()
        body = chat_body(request)
        pieces: queue.Queue[str | BaseException | None] = queue.Queue()
        cancelled = threading.Event()

        def on_chunk(chunk: dict[str, Any]) -> bool:
            for choice in chunk.get("choices", []):
                text = (choice.get("delta") or {}).get("content")
                if text:
                    pieces.put(text)
            # returning True asks llama.cpp to stop generating
            return cancelled.is_set() or (stop is not None and stop.is_set())

        def run() -> None:
            try:
                with lock:
                    server.handle_chat_completions(body, on_chunk)
            except BaseException as exc:  # handed to the consumer, raised there
                pieces.put(exc)
            finally:
                pieces.put(None)

        worker = threading.Thread(target=run, name="llamacpp-generate", daemon=True)
        worker.start()
        try:
            while (item := pieces.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            cancelled.set()  # the consumer stopped reading: stop the model too
            worker.join()

    def _choice(self, body: dict[str, Any], what: str) -> dict[str, Any]:
        server, lock = self._server()
        with lock:
            reply = server.handle_chat_completions(body)
        if "choices" not in reply:
            detail = " ".join(str(reply).split())[:200]
            raise GeneratorError(
                f"the local model's {what} call failed ({detail}); answer.n_ctx may be too "
                "small for the passage, or the model file is damaged (rag models fetch)"
            )
        choice: dict[str, Any] = reply["choices"][0]
        return choice

    def yes_probability(self, messages: list[Message]) -> float:
        return yes_probability_from_choice(self._choice(judge_body(messages), "judge"))

    def greedy_logprobs(self, messages: list[Message], max_tokens: int) -> list[tuple[str, float]]:
        return path_from_choice(self._choice(path_body(messages, max_tokens), "scoring"))
