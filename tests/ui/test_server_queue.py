"""One slow question must not block every user (issue 18, defect 6), checked through a real
Gradio server on 127.0.0.1 driven by gradio_client: while two answers hang in the generator,
the document list and uploads still answer, later questions wait in the queue and see their
position, and a full queue turns new questions away instead of letting waits grow.

The generator is a fake passed in (it blocks until the test opens its gate); the server, the
queue and the client are the real ones a user meets.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag import Assistant, Config
from rag.config import AnswerConfig, IndexConfig
from tests.fakes import HashEmbedder, KeywordChecker
from ui.app import ANSWER_CONCURRENCY, QUEUE_OPTIONS, build_app

QUESTION = "Who recommended the withdrawal of Ukrainian forces from Bakhmut?"
QUEUE_CAP = 3  # the configured 32 behaves alike; 3 keeps the test small


class GatedGenerator:
    """Writes nothing until ``gate`` is set (a hung backend), then one supported sentence."""

    model_id = "gated"

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started = 0

    def stream(self, request: Any, stop: threading.Event | None = None) -> Iterator[str]:
        self.started += 1
        while not self.gate.wait(0.05):
            if stop is not None and stop.is_set():
                return
        yield "Zaluzhny recommended the withdrawal of Ukrainian forces. [1]"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def served(tmp_path: Path, seeds_copy: Path) -> Iterator[tuple[str, GatedGenerator]]:
    generator = GatedGenerator()
    config = Config(index=IndexConfig(dir=tmp_path / "ix"), answer=AnswerConfig(min_relevance=0.0))
    assistant = Assistant.open(
        config=config, embedder=HashEmbedder(), generator=generator, checker=KeywordChecker()
    )
    assistant.add([seeds_copy])
    app = build_app(assistant, tmp_path / "uploads")
    port = _free_port()
    app.queue(**{**QUEUE_OPTIONS, "max_size": QUEUE_CAP}).launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True
    )
    try:
        yield f"http://127.0.0.1:{port}/", generator
    finally:
        generator.gate.set()
        app.close()


def _wait_until(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_a_hung_answer_blocks_neither_the_documents_nor_uploads_and_the_queue_is_bounded(
    served: tuple[str, GatedGenerator], tmp_path: Path
) -> None:
    from gradio_client import Client, handle_file
    from gradio_client.utils import QueueError

    url, generator = served
    clients = [Client(url, verbose=False) for _ in range(ANSWER_CONCURRENCY + QUEUE_CAP + 2)]
    generating = [c.submit(QUESTION, api_name="/ask") for c in clients[:ANSWER_CONCURRENCY]]
    _wait_until(lambda: generator.started == ANSWER_CONCURRENCY)

    # the document list and an upload are served while both answers hang
    rows = clients[0].predict(api_name="/documents")[0]["data"]
    assert len(rows) == 3
    note = tmp_path / "ferry.md"
    note.write_text("# Ferry\n\nThe ferry crossed the river at noon.\n")
    status, table = clients[1].predict([handle_file(str(note))], api_name="/upload")
    assert "Indexed 1 file(s)" in status, status
    assert len(table["data"]) == 4
    assert not generator.gate.is_set() and generator.started == ANSWER_CONCURRENCY

    # later questions wait in line and each sees its place; past the cap they are refused
    waiting = []
    for c in clients[ANSWER_CONCURRENCY : ANSWER_CONCURRENCY + QUEUE_CAP]:
        waiting.append(c.submit(QUESTION, api_name="/ask"))
        time.sleep(0.3)  # a stable order, so that the ranks below are 0, 1, 2
    _wait_until(lambda: all(j.status().rank is not None for j in waiting))
    assert [j.status().rank for j in waiting] == list(range(QUEUE_CAP))
    refused = [c.submit(QUESTION, api_name="/ask") for c in clients[-2:]]
    for job in refused:
        with pytest.raises(QueueError, match="Queue is full"):
            job.result(timeout=30)

    # once the backend answers, every accepted question is answered; none was lost
    generator.gate.set()
    for job in generating + waiting:
        conversation = job.result(timeout=60)[0]
        assert "Zaluzhny recommended" in conversation, conversation[-400:]
        assert "Could not answer" not in conversation
    assert generator.started == ANSWER_CONCURRENCY + QUEUE_CAP
