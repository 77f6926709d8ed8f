"""rag serve's API, driven by the official openai client and httpx against a real uvicorn
server on 127.0.0.1 (the assistant's models are fakes passed in; the server is real)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag import Assistant
from tests.fakes import ScriptedGenerator, fake_assistant
from ui.http_api import ApiLimits, build_api

QUESTION = "Who recommended the withdrawal of Ukrainian forces from Bakhmut?"
KEY = "s3cret-test-key"


class SlowGenerator(ScriptedGenerator):
    """Scripted replies, a word every ``delay`` seconds; counts the answers in progress."""

    def __init__(self, *replies: str, delay: float = 0.0) -> None:
        super().__init__(*replies)
        self.delay = delay
        self.active = 0
        self.most_active = 0
        self.stopped = 0
        self.finished = 0  # answers written to their end

    def stream(self, request: Any, stop: threading.Event | None = None) -> Iterator[str]:
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            for word in super().stream(request, stop):
                time.sleep(self.delay)
                if stop is not None and stop.is_set():
                    self.stopped += 1
                    return
                yield word
            if stop is None or not stop.is_set():
                self.finished += 1
        finally:
            self.active -= 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(app: Any) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture()
def served(tmp_path: Path, seeds_copy: Path) -> Iterator[tuple[str, Assistant, SlowGenerator]]:
    gen = SlowGenerator("Zaluzhny recommended the withdrawal of Ukrainian forces.")
    a = fake_assistant(tmp_path, seeds_copy, gen)
    limits = ApiLimits(queue_size=2, max_body_bytes=20_000, retry_after_seconds=3)
    for url in _serve(build_api(a, api_key=KEY, limits=limits)):
        yield url, a, gen


def _client(url: str) -> Any:
    from openai import OpenAI

    return OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0, timeout=60)


def _check_spans(a: Assistant, grounding: dict[str, Any]) -> None:
    assert grounding["citations"]
    for c in grounding["citations"]:
        assert a.document(c["doc_id"]).text[c["start"] : c["end"]] == c["quote"]


def test_openai_client_gets_a_cited_answer_with_exact_spans(
    served: tuple[str, Assistant, SlowGenerator],
) -> None:
    url, a, _gen = served
    reply = _client(url).chat.completions.create(
        model="grounded-rag", messages=[{"role": "user", "content": QUESTION}]
    )
    content = reply.choices[0].message.content
    assert content.startswith("Zaluzhny recommended") and "[1]" in content
    grounding = reply.model_extra["grounding"]
    assert not grounding["abstained"] and grounding["text"] == content
    _check_spans(a, grounding)
    assert grounding["sentences"][0]["verdict"] == "supported"
    assert grounding["citations"][0]["attributed"]  # the reply cited nothing; the verifier did


def test_streaming_sends_tokens_then_grounding_then_done(
    served: tuple[str, Assistant, SlowGenerator],
) -> None:
    url, a, _gen = served
    stream = _client(url).chat.completions.create(
        model="grounded-rag", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text.startswith("Zaluzhny recommended")
    assert len(chunks) > 3  # token by token
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    _check_spans(a, last.model_extra["grounding"])
    with httpx.stream(
        "POST",
        f"{url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {KEY}"},
        json={"messages": [{"role": "user", "content": QUESTION}], "stream": True},
    ) as raw:
        lines = [ln for ln in raw.iter_lines() if ln]
    assert lines[-1] == "data: [DONE]" and all(ln.startswith("data: ") for ln in lines)


def test_a_stream_says_where_a_second_draft_begins(tmp_path: Path, seeds_copy: Path) -> None:
    gen = SlowGenerator(
        "The mayor of Bakhmut is a famous violinist.",
        "Zaluzhny recommended the withdrawal of Ukrainian forces.",
    )
    a = fake_assistant(tmp_path, seeds_copy, gen)
    a.reconfigure(answer={"second_look": True})
    for url in _serve(build_api(a, api_key=KEY)):
        stream = _client(url).chat.completions.create(
            model="grounded-rag", messages=[{"role": "user", "content": QUESTION}], stream=True
        )
        chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    first, second = text.split("\n\n(no sentence was supported; reading the passages again)\n\n")
    assert first.startswith("The mayor") and second.startswith("Zaluzhny recommended")
    grounding = chunks[-1].model_extra["grounding"]
    assert grounding["second_draft"] == "second look" and not grounding["abstained"]
    assert grounding["text"].startswith("Zaluzhny recommended")
    _check_spans(a, grounding)


def test_a_follow_up_uses_the_earlier_turns(served: tuple[str, Assistant, SlowGenerator]) -> None:
    url, _a, gen = served
    _client(url).chat.completions.create(
        model="grounded-rag",
        messages=[
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": "Zaluzhny recommended it [1]."},
            {"role": "user", "content": "And which newspaper reported that?"},
        ],
    )
    condense = gen.requests[0].messages[-1]["content"]  # the first call rewrites the follow-up
    assert QUESTION in condense and "which newspaper reported that" in condense


def test_an_abstention_is_a_normal_completion_with_a_reason(
    tmp_path: Path, seeds_copy: Path
) -> None:
    a = fake_assistant(tmp_path, seeds_copy, SlowGenerator("The documents do not say."))
    for url in _serve(build_api(a)):
        reply = httpx.post(
            f"{url}/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "How many tanks were lost?"}]},
            timeout=30,
        )
        assert reply.status_code == 200
        body = reply.json()
        assert body["choices"][0]["message"]["content"] == "The documents do not say."
        assert body["grounding"]["abstained"] and body["grounding"]["reason"]


def test_refusals_use_the_openai_error_shape(served: tuple[str, Assistant, SlowGenerator]) -> None:
    url, _a, _gen = served
    auth = {"Authorization": f"Bearer {KEY}"}
    cases = [
        (httpx.post(f"{url}/v1/chat/completions", content=b"{not json", headers=auth), 400),
        (httpx.post(f"{url}/v1/chat/completions", json={"messages": []}, headers=auth), 400),
        (
            httpx.post(
                f"{url}/v1/chat/completions",
                json={"messages": [{"role": "assistant", "content": "hi"}]},
                headers=auth,
            ),
            400,
        ),
        (httpx.get(f"{url}/v1/models"), 401),
        (httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer wrong"}), 401),
        (
            httpx.post(
                f"{url}/v1/chat/completions",
                json={"messages": [{"role": "user", "content": "x" * 30_000}]},
                headers=auth,
            ),
            413,
        ),
    ]
    for response, status in cases:
        assert response.status_code == status, (status, response.text)
        error = response.json()["error"]
        assert error["message"] and error["type"] and error["code"] == status
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}  # no key needed


def test_models_search_and_documents(served: tuple[str, Assistant, SlowGenerator]) -> None:
    url, a, _gen = served
    client = _client(url)
    assert [m.id for m in client.models.list()] == ["grounded-rag"]
    auth = {"Authorization": f"Bearer {KEY}"}
    hits = httpx.post(f"{url}/v1/search", json={"query": QUESTION, "k": 3}, headers=auth).json()
    assert len(hits["data"]) == 3
    for h in hits["data"]:
        assert a.document(h["doc_id"]).text[h["start"] : h["end"]] == h["text"]
    docs = httpx.get(f"{url}/v1/documents", headers=auth).json()["data"]
    assert len(docs) == 3 and all(d["doc_id"] and d["title"] for d in docs)


def test_a_full_queue_answers_503_and_no_request_is_lost(
    served: tuple[str, Assistant, SlowGenerator],
) -> None:
    """8 clients x 3 questions against one answer slot and a queue of 2: every request is
    answered or refused with 503 and Retry-After, none hangs, one answer at a time."""
    url, _a, gen = served
    gen.delay = 0.05
    results: list[int] = []
    lock = threading.Lock()

    def client() -> None:
        for _ in range(3):
            r = httpx.post(
                f"{url}/v1/chat/completions",
                json={"messages": [{"role": "user", "content": QUESTION}]},
                headers={"Authorization": f"Bearer {KEY}"},
                timeout=60,
            )
            if r.status_code == 503:
                assert r.headers["Retry-After"] == "3"
            with lock:
                results.append(r.status_code)

    threads = [threading.Thread(target=client) for _ in range(8)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 24 and set(results) <= {200, 503}
    assert results.count(200) >= 3 and results.count(503) >= 1
    assert gen.most_active == 1
    print(f"24 requests: {results.count(200)} answered, {results.count(503)} refused (503) "
          f"in {time.monotonic() - t0:.1f} s")  # fmt: skip


def test_a_client_that_disconnects_stops_its_generation(
    served: tuple[str, Assistant, SlowGenerator],
) -> None:
    url, _a, gen = served
    gen.delay = 0.3
    with httpx.stream(
        "POST",
        f"{url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {KEY}"},
        json={"messages": [{"role": "user", "content": QUESTION}], "stream": True},
        timeout=30,
    ) as raw:
        for line in raw.iter_lines():
            if '"content": "Zaluzhny' in line:
                break  # leave after the first word
    deadline = time.monotonic() + 10
    while gen.active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gen.stopped == 1 and gen.active == 0


def test_grounding_is_json_serialisable_for_every_field(
    served: tuple[str, Assistant, SlowGenerator],
) -> None:
    url, _a, _gen = served
    body = httpx.post(
        f"{url}/v1/chat/completions",
        json={"messages": [{"role": "user", "content": QUESTION}]},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=30,
    ).json()
    assert json.loads(json.dumps(body))["grounding"]["timings"]["total"] > 0


def _readme_curl_commands() -> list[str]:
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("The examples below are run by")[1].split("```bash\n")[1].split("```")[0]
    commands = block.replace("\\\n", " ").splitlines()
    return [c for c in commands if c.startswith("curl ")]


def test_the_readme_curl_examples_work(served: tuple[str, Assistant, SlowGenerator]) -> None:
    import os
    import subprocess

    url, _a, _gen = served
    commands = _readme_curl_commands()
    assert len(commands) == 6
    env = dict(os.environ, RAG_API=url, RAG_KEY=KEY)
    outputs = [
        subprocess.run(
            ["bash", "-c", c], env=env, capture_output=True, text=True, timeout=60, check=True
        ).stdout
        for c in commands
    ]
    assert json.loads(outputs[0]) == {"status": "ok"}
    assert json.loads(outputs[1])["data"][0]["id"] == "grounded-rag"
    assert len(json.loads(outputs[2])["data"]) == 3
    assert len(json.loads(outputs[3])["data"]) == 3
    completion = json.loads(outputs[4])
    assert completion["grounding"]["citations"], completion["grounding"]
    events = [ln for ln in outputs[5].splitlines() if ln.startswith("data: ")]
    assert events[-1] == "data: [DONE]" and '"grounding"' in events[-2]


def test_the_chat_ui_is_served_on_ui_of_the_same_server(tmp_path: Path, seeds_copy: Path) -> None:
    from ui.http_api import mount_ui

    a = fake_assistant(tmp_path, seeds_copy, SlowGenerator("unused"))
    for url in _serve(mount_ui(build_api(a), a)):
        page = httpx.get(f"{url}/ui/", timeout=30, follow_redirects=True)
        assert page.status_code == 200 and "gradio" in page.text.lower()
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}


def _readme_python(after: str) -> str:
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    return readme.split(after)[1].split("```python\n")[1].split("```")[0]


def test_the_readme_openai_client_example_works(
    served: tuple[str, Assistant, SlowGenerator], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _a, _gen = served
    code = _readme_python("With the official OpenAI Python client")
    assert 'base_url="http://127.0.0.1:8000/v1"' in code and 'api_key="change-me"' in code
    code = code.replace("http://127.0.0.1:8000", url).replace("change-me", KEY)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("Zaluzhny recommended")
    assert printed[1].startswith("[1] ") and " chars " in printed[1]


def test_a_non_streaming_client_that_leaves_stops_its_generation_and_frees_its_place(
    served: tuple[str, Assistant, SlowGenerator],
) -> None:
    url, _a, gen = served
    gen.delay = 0.3
    auth = {"Authorization": f"Bearer {KEY}"}
    body = {"messages": [{"role": "user", "content": QUESTION}]}
    for _ in range(4):  # more than concurrency + queue (1 + 2): places must come back
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{url}/v1/chat/completions", json=body, headers=auth, timeout=1.0)
    # answered only if the abandoned requests gave their places and the slot back
    reply = httpx.post(f"{url}/v1/chat/completions", json=body, headers=auth, timeout=60)
    assert reply.status_code == 200, reply.text
    # a request that left was stopped while generating, or before it began: none of the
    # four was written to its end; only this last one was
    assert gen.finished == 1 and gen.stopped >= 1 and gen.active == 0
