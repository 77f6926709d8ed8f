"""The OpenAI-compatible generator against a real llama.cpp server on 127.0.0.1.

The server is the one xllamacpp carries, started here with the default generator model
(the one `make setup` fetches, so a fresh machine has it); nothing is mocked: requests go
over HTTP to a port on this machine.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from index.models import resolve_model_path
from rag.config import AnswerConfig
from rag.errors import GeneratorError
from rag.generators import GenerationRequest, complete, phrase_logprob
from rag.llamacpp import server_params
from rag.openai_compat import OpenAICompatibleGenerator
from rag.prompts import CANNOT_ANSWER, answer_messages, judge_messages
from rag.types import Evidence

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    import xllamacpp as xl

    # the product's parameters (a repacked build for an AVX-512 CPU crashes on AMX); the
    # default host is 127.0.0.1, and the assertion below checks it
    params = server_params(str(resolve_model_path(AnswerConfig().model)), 2048, 2)
    srv = xl.Server(params)
    assert srv.listening_address.startswith("http://127.0.0.1:")
    yield srv


def test_streams_a_completion_over_http(server: Any) -> None:
    gen = OpenAICompatibleGenerator(server.listening_address + "/v1", "local", "NO_SUCH_KEY_VAR")
    pieces = list(
        gen.stream(
            GenerationRequest(
                [{"role": "user", "content": "Reply with the single word: hello"}], max_tokens=8
            )
        )
    )
    assert len(pieces) >= 1
    assert "hello" in "".join(pieces).casefold()
    assert gen.model_id.startswith("local@http://127.0.0.1:")


def test_yes_probability_over_http(server: Any) -> None:
    gen = OpenAICompatibleGenerator(server.listening_address + "/v1", "local")
    p_yes = gen.yes_probability(
        judge_messages(
            "Bakhmut had 70,000 inhabitants.", "70.000 Einwohner lebten vor dem Krieg in Bakhmut."
        )
    )
    p_no = gen.yes_probability(
        judge_messages(
            "Paris is the capital of Germany.", "70.000 Einwohner lebten vor dem Krieg in Bakhmut."
        )
    )
    assert 0.0 <= p_no < p_yes <= 1.0


def test_decline_probability_over_http(server: Any) -> None:
    """The log-probabilities of a greedy reply come back per token, and the decline phrase's
    probability is read from them: high when the sources lack the answer, absent when the
    reply is an answer."""
    gen = OpenAICompatibleGenerator(server.listening_address + "/v1", "local")
    ev = Evidence(
        1, "d1", "Port", "en", 0, 46, "Duisburg has the largest inland port in Europe.", (), 12
    )
    sure = gen.greedy_logprobs(answer_messages("Who founded Duisburg?", [ev], "en"), 16)
    answered = gen.greedy_logprobs(
        answer_messages("Which city has the largest inland port in Europe?", [ev], "en"), 16
    )
    assert all(lp <= 0.0 for _, lp in sure) and len(sure) >= 5
    decline = phrase_logprob(sure, CANNOT_ANSWER["en"])
    assert decline is not None and math.exp(decline) > 0.5
    assert phrase_logprob(answered, CANNOT_ANSWER["en"]) is None
    assert "Duisburg" in "".join(t for t, _ in answered)


def test_bad_url_gives_a_clear_error(server: Any) -> None:
    gen = OpenAICompatibleGenerator(server.listening_address + "/nope", "local")
    with pytest.raises(GeneratorError, match=r"HTTP 404.*check the base URL"):
        complete(gen, GenerationRequest([{"role": "user", "content": "hi"}], max_tokens=4))
