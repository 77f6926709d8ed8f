"""`rag serve` as a user starts it: a real process on a free 127.0.0.1 port with the default
models and an API key, driven by the official openai client from 3 threads x 2 questions,
twice (figures printed, not timed assertions: waits, and the server's memory after each
round)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SEEDS

pytestmark = pytest.mark.integration

KEY = "integration-key"
QUESTIONS = [
    "Who recommended the withdrawal of Ukrainian forces from Bakhmut?",
    "Wie viele Einwohner hatte Bachmut vor dem Krieg?",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    work = tmp_path_factory.mktemp("serve")
    shutil.copytree(SEEDS, work / "seeds", ignore=shutil.ignore_patterns("*.jsonl"))
    rag = str(Path(sys.executable).parent / "rag")
    env = dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        GRADIO_ANALYTICS_ENABLED="False",
        RAG_TEST_KEY=KEY,
    )
    subprocess.run(
        [rag, "--index", str(work / "index"), "index", str(work / "seeds")],
        env=env, check=True, capture_output=True, timeout=900,
    )  # fmt: skip
    port = _free_port()
    log = (work / "serve.log").open("w")
    proc = subprocess.Popen(
        [rag, "--index", str(work / "index"), "serve", "--port", str(port),
         "--api-key-env", "RAG_TEST_KEY"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    try:
        while True:
            assert proc.poll() is None, (work / "serve.log").read_text()[-3000:]
            assert time.monotonic() - t0 < 300, "rag serve did not start within 300 s"
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(30)


def _round(url: str) -> tuple[list[tuple[str, float, dict[str, Any]]], list[str]]:
    from openai import OpenAI

    results: list[tuple[str, float, dict[str, Any]]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        api = OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0, timeout=600)
        for q in QUESTIONS:
            t0 = time.monotonic()
            try:
                reply = api.chat.completions.create(
                    model="grounded-rag", messages=[{"role": "user", "content": q}]
                )
            except Exception as exc:  # a failed request fails the test, with its cause
                with lock:
                    failures.append(repr(exc))
                continue
            grounding = reply.model_extra["grounding"]
            with lock:
                results.append((reply.choices[0].message.content, time.monotonic() - t0, grounding))

    threads = [threading.Thread(target=client) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(1200)
    return results, failures


def test_three_clients_two_questions_each_with_the_default_model(server: tuple[str, int]) -> None:
    url, pid = server
    assert httpx.get(f"{url}/v1/models").status_code == 401  # the key is required
    rss = [_rss_mb(pid)]
    for round_ in (1, 2):
        results, failures = _round(url)
        rss.append(_rss_mb(pid))
        assert not failures, failures
        assert len(results) == 6
        answered = [r for r in results if not r[2]["abstained"]]
        assert answered, [r[0] for r in results]
        for _text, _s, grounding in answered:
            for c in grounding["citations"]:
                assert c["quote"] and c["end"] > c["start"]
        waits = sorted(s for _t, s, _g in results)
        print(
            f"round {round_}: 6 requests from 3 clients, {len(answered)} answered; "
            f"seconds p50 {waits[2]:.1f}, max {waits[-1]:.1f}"
        )
    print(
        "server RSS before, after round 1, after round 2: " + ", ".join(f"{m:.0f} MB" for m in rss)
    )
