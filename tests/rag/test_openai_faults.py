"""Faults of an OpenAI-compatible backend, each from a real HTTP server on 127.0.0.1 that
misbehaves one way: every one ends in a GeneratorError line naming the server and the fix."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.errors import GeneratorError, RagError
from rag.generators import GenerationRequest, complete
from rag.openai_compat import OpenAICompatibleGenerator

REQUEST = GenerationRequest([{"role": "user", "content": "hi"}], max_tokens=8)
RELEASE = threading.Event()  # lets a hanging handler go when its test ends


class Misbehaving(BaseHTTPRequestHandler):
    def log_message(self, *_args: object) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = self.path.split("/")[1]
        if mode == "error500":
            self._send(500, "text/html", b"<html><body>Internal Server Error</body></html>")
        elif mode == "notjson":
            self._send(200, "text/event-stream", b"data: {this is not json\n\n")
        elif mode == "notjsonjudge":
            self._send(200, "application/json", b"<html>login page</html>")
        elif mode == "hang":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            RELEASE.wait(30)
        elif mode == "plainjson":  # ignores "stream": true
            reply = {"choices": [{"message": {"role": "assistant", "content": "It fell [1]."}}]}
            self._send(200, "application/json", json.dumps(reply).encode())


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    RELEASE.set()
    srv.shutdown()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_nothing_listening_is_one_line_naming_the_fix() -> None:
    gen = OpenAICompatibleGenerator(f"http://127.0.0.1:{_closed_port()}/v1", "m")
    with pytest.raises(GeneratorError, match=r"cannot be reached.*start the server"):
        complete(gen, REQUEST)
    with pytest.raises(GeneratorError, match="cannot be reached"):
        gen.yes_probability([{"role": "user", "content": "x"}])


def test_http_500_names_the_status_without_the_whole_page(server: str) -> None:
    gen = OpenAICompatibleGenerator(f"{server}/error500", "m")
    with pytest.raises(GeneratorError, match=r"HTTP 500: <html>.*see its log") as err:
        complete(gen, REQUEST)
    assert len(str(err.value)) < 250 and isinstance(err.value, RagError)


def test_a_reply_that_is_not_json(server: str) -> None:
    with pytest.raises(GeneratorError, match="not JSON"):
        complete(OpenAICompatibleGenerator(f"{server}/notjson", "m"), REQUEST)
    with pytest.raises(GeneratorError, match="not JSON"):
        OpenAICompatibleGenerator(f"{server}/notjsonjudge", "m").yes_probability(
            [{"role": "user", "content": "x"}]
        )


def test_a_hung_server_times_out_with_the_setting_named(server: str) -> None:
    gen = OpenAICompatibleGenerator(f"{server}/hang", "m", timeout=0.5)
    t0 = time.monotonic()
    with pytest.raises(GeneratorError, match=r"no answer within 0.5 s \(answer.timeout\)"):
        complete(gen, REQUEST)
    assert time.monotonic() - t0 < 10


def test_stop_ends_a_hung_request(server: str) -> None:
    gen = OpenAICompatibleGenerator(f"{server}/hang", "m", timeout=60)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    t0 = time.monotonic()
    assert list(gen.stream(REQUEST, stop)) == []
    assert time.monotonic() - t0 < 10  # not the 60 s timeout


def test_a_non_streaming_reply_to_a_streaming_request_is_the_answer(server: str) -> None:
    gen = OpenAICompatibleGenerator(f"{server}/plainjson", "m")
    assert complete(gen, REQUEST) == "It fell [1]."
