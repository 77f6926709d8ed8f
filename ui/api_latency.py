"""Time to first token through ``rag serve``'s streaming API vs ``Assistant.stream``:
``python -m ui.api_latency --index DIR``. Figures, not pass/fail.

One process, one loaded model: the API runs on a loopback port in this process, so both
paths share the model and its prompt cache. A question asked twice would find its whole
prompt cached the second time, so each path gets its own question of each pair (the same
fact asked in English and German), each path going first for half of the pairs, after one
warm-up answer.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
from pathlib import Path

import httpx

from rag import Assistant, TokenEvent
from ui.http_api import build_api

PAIRS = [
    ("Who recommended withdrawing Ukrainian forces from Bakhmut?",
     "Wer empfahl den Rückzug aus Bachmut?"),
    ("How many inhabitants did Bakhmut have before the war?",
     "Wie viele Einwohner hatte Bachmut vor dem Krieg?"),
    ("Who leads the Wagner group?", "Wer führt die Gruppe Wagner?"),
    ("What did Garry Kasparov call the reports of a ceasefire offer?",
     "Wie nannte Garri Kasparow die Berichte über ein Waffenstillstandsangebot?"),
    ("What odds of getting out alive did a soldier give?",
     "Welche Chancen, lebend herauszukommen, nannte ein Soldat?"),
]  # fmt: skip


def _direct(assistant: Assistant, question: str) -> float:
    t0 = time.perf_counter()
    for event in assistant.stream(question):
        if isinstance(event, TokenEvent) and event.text:
            return time.perf_counter() - t0
    return float("nan")


def _api(url: str, question: str) -> float:
    t0 = time.perf_counter()
    body = {"stream": True, "messages": [{"role": "user", "content": question}]}
    with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=600) as r:
        lines = r.iter_lines()
        for line in lines:
            if line.startswith("data: ") and '"content": "' in line and '"content": ""' not in line:
                ttft = time.perf_counter() - t0
                for _ in lines:  # let the answer finish before the next question
                    pass
                return ttft
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--index", type=Path, default=Path(".rag-index"))
    args = p.parse_args(argv)
    assistant = Assistant.open(args.index)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(build_api(assistant), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    assistant.ask("warm-up: how long did the battle last?")
    direct, api = [], []
    for i, (a, b) in enumerate(PAIRS):
        # the second of a pair may find the first's sources in the prompt cache: each
        # path goes first for half of the pairs
        if i % 2:
            api.append(_api(url, a))
            direct.append(_direct(assistant, b))
        else:
            direct.append(_direct(assistant, a))
            api.append(_api(url, b))
    server.should_exit = True
    for label, xs in (("Assistant.stream", direct), ("rag serve (SSE)", api)):
        print(
            f"time to first token, {label:17} p50 {statistics.median(xs):5.2f} s  "
            f"min {min(xs):5.2f} s  max {max(xs):5.2f} s  (n={len(xs)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
