"""Any OpenAI-compatible chat server (Ollama, vLLM, llama.cpp's server, OpenAI) by base URL.

The API key is read from the environment variable the config names, never from the config
file itself, so a ``rag.toml`` can be shared without leaking it. Every transport fault (no
server at the port, an HTTP error, a reply that is not JSON, no reply within the timeout)
becomes one ``GeneratorError`` line naming the server and what to check.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Iterator
from typing import Any

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

__all__ = ["OpenAICompatibleGenerator"]


class OpenAICompatibleGenerator:
    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = timeout

    @property
    def model_id(self) -> str:
        return f"{self.model}@{self.base_url}"

    def _headers(self) -> dict[str, str]:
        key = os.environ.get(self.api_key_env, "")
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _client(self) -> Any:
        import httpx

        # connecting should take milliseconds on a working setup; reading may wait for a
        # long prefill, up to the configured timeout between two pieces of the reply
        timeout = httpx.Timeout(self.timeout, connect=min(10.0, self.timeout))
        return httpx.Client(timeout=timeout, headers=self._headers())

    def _error(self, status: int, body: str) -> GeneratorError:
        hint = "; the server failed: see its log"
        if status in (401, 403):
            hint = f"; set the API key in the environment variable {self.api_key_env}"
        elif status == 404:
            hint = f"; check the base URL ({self.base_url}) and the model name ({self.model})"
        # a short excerpt: enough to recognise the server's message, not a page of HTML
        excerpt = " ".join(body.split())[:120]
        return GeneratorError(f"{self.base_url} answered HTTP {status}: {excerpt}{hint}")

    def _transport(self, exc: Exception) -> GeneratorError:
        import httpx

        if isinstance(exc, httpx.TimeoutException):
            what = f"gave no answer within {self.timeout:g} s (answer.timeout)"
            fix = "check that the server is not stuck, or raise the timeout"
        elif isinstance(exc, httpx.ConnectError):
            what = "cannot be reached (nothing answers at that address)"
            fix = "start the server, or fix answer.base_url"
        else:
            what = f"failed: {type(exc).__name__}: {exc}"
            fix = "check the server and answer.base_url"
        return GeneratorError(f"{self.base_url} {what}; {fix}")

    def _json(self, text: str) -> Any:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            excerpt = " ".join(text.split())[:80]
            raise GeneratorError(
                f"{self.base_url} answered something that is not JSON ({excerpt!r}); "
                "is answer.base_url an OpenAI-compatible /v1 endpoint?"
            ) from None

    def stream(
        self, request: GenerationRequest, stop: threading.Event | None = None
    ) -> Iterator[str]:
        """Pieces of the answer. The HTTP read runs in a worker thread, so Stop ends the
        answer at once even while the server sends nothing (the worker's read then ends at
        the timeout, its result discarded)."""
        pieces: queue.Queue[tuple[str, Any]] = queue.Queue()
        threading.Thread(
            target=self._read, args=(request, pieces, stop), daemon=True, name="openai-read"
        ).start()
        while True:
            try:
                kind, value = pieces.get(timeout=0.1)
            except queue.Empty:
                if stop is not None and stop.is_set():
                    return
                continue
            if kind == "piece":
                yield value
            elif kind == "error":
                raise value
            else:
                return

    def _read(
        self,
        request: GenerationRequest,
        out: queue.Queue[tuple[str, Any]],
        stop: threading.Event | None,
    ) -> None:
        import httpx

        body = {"model": self.model, **chat_body(request)}
        try:
            with (
                self._client() as client,
                client.stream("POST", f"{self.base_url}/chat/completions", json=body) as resp,
            ):
                if resp.status_code != 200:
                    raise self._error(resp.status_code, resp.read().decode("utf-8", "replace"))
                for piece in self._pieces(resp):
                    if stop is not None and stop.is_set():
                        break
                    out.put(("piece", piece))
        except httpx.HTTPError as exc:
            out.put(("error", self._transport(exc)))
        except GeneratorError as exc:
            out.put(("error", exc))
        except Exception as exc:  # anything else must reach the reader too, or it waits
            out.put(("error", self._transport(exc)))
        finally:
            out.put(("end", None))

    def _pieces(self, resp: Any) -> Iterator[str]:
        if "text/event-stream" not in resp.headers.get("content-type", "event-stream"):
            # a server that ignores "stream": one JSON reply holds the whole answer
            reply = self._json(resp.read().decode("utf-8", "replace"))
            for choice in reply.get("choices", []):
                text = (choice.get("message") or {}).get("content")
                if text:
                    yield text
            return
        for line in resp.iter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            for choice in self._json(data).get("choices", []):
                text = (choice.get("delta") or {}).get("content")
                if text:
                    yield text

    def _choice(self, body: dict[str, Any]) -> dict[str, Any]:
        import httpx

        try:
            with self._client() as client:
                resp = client.post(
                    f"{self.base_url}/chat/completions", json={"model": self.model, **body}
                )
        except httpx.HTTPError as exc:
            raise self._transport(exc) from exc
        if resp.status_code != 200:
            raise self._error(resp.status_code, resp.text)
        choices = self._json(resp.text).get("choices") or [{}]
        choice: dict[str, Any] = choices[0]
        return choice

    def yes_probability(self, messages: list[Message]) -> float:
        return yes_probability_from_choice(self._choice(judge_body(messages)))

    def greedy_logprobs(self, messages: list[Message], max_tokens: int) -> list[tuple[str, float]]:
        return path_from_choice(self._choice(path_body(messages, max_tokens)))
