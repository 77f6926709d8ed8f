"""Any OpenAI-compatible chat server (Ollama, vLLM, llama.cpp's server, OpenAI) by base URL.

The API key is read from the environment variable the config names, never from the config
file itself, so a ``rag.toml`` can be shared without leaking it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from typing import Any

from rag.generators import (
    GenerationRequest,
    chat_body,
    judge_body,
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
        timeout: float = 120.0,
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

        return httpx.Client(timeout=self.timeout, headers=self._headers())

    def _error(self, status: int, body: str) -> RuntimeError:
        hint = ""
        if status in (401, 403):
            hint = f"; set the API key in the environment variable {self.api_key_env}"
        elif status == 404:
            hint = f"; check the base URL ({self.base_url}) and the model name ({self.model})"
        return RuntimeError(f"{self.base_url} answered HTTP {status}: {body[:200]}{hint}")

    def stream(
        self, request: GenerationRequest, stop: threading.Event | None = None
    ) -> Iterator[str]:
        body = {"model": self.model, **chat_body(request)}
        with (
            self._client() as client,
            client.stream("POST", f"{self.base_url}/chat/completions", json=body) as resp,
        ):
            if resp.status_code != 200:
                raise self._error(resp.status_code, resp.read().decode("utf-8", "replace"))
            for line in resp.iter_lines():
                if stop is not None and stop.is_set():
                    return
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                chunk = json.loads(data)
                for choice in chunk.get("choices", []):
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield text

    def yes_probability(self, messages: list[Message]) -> float:
        with self._client() as client:
            resp = client.post(
                f"{self.base_url}/chat/completions",
                json={"model": self.model, **judge_body(messages)},
            )
        if resp.status_code != 200:
            raise self._error(resp.status_code, resp.text)
        return yes_probability_from_choice(resp.json()["choices"][0])
