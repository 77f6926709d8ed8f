"""Two UI sessions asking while a third uploads and removes, on one shared assistant, for a
bounded time: no failed question, no crash (the probe saw 23 of ~340 questions fail with
"Cannot operate on a closed database" while another session uploaded)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from rag import Assistant, Config
from rag.config import AnswerConfig, IndexConfig
from tests.fakes import HashEmbedder, KeywordChecker, ScriptedGenerator
from ui import handlers


def test_two_sessions_ask_while_a_third_uploads(tmp_path: Path, seeds_copy: Path) -> None:
    config = Config(index=IndexConfig(dir=tmp_path / "ix"), answer=AnswerConfig(min_relevance=0.2))
    a = Assistant.open(
        config=config,
        embedder=HashEmbedder(),
        generator=ScriptedGenerator("Zaluzhny recommended the withdrawal of Ukrainian forces."),
        checker=KeywordChecker(),
    )
    a.add([seeds_copy])
    uploads = tmp_path / "uploads"
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    done = threading.Event()
    failures: list[str] = []
    answered = [0, 0]

    def asker(slot: int) -> None:
        try:
            ask_until_done(slot)
        except BaseException as exc:  # a thread's exception must fail the test, not vanish
            failures.append(f"session {slot}: {exc!r}")

    def ask_until_done(slot: int) -> None:
        state = handlers.ChatState()
        mine = handlers.SessionSettings(3 + slot, 128)  # each session its own settings
        while not done.is_set():
            q = "Who recommended the withdrawal of Ukrainian forces from Bakhmut?"
            conv, _sources, state = list(handlers.ask(a, q, state, mine))[-1]
            if "Could not answer" in conv:
                failures.append(conv[-300:])
                return
            answer = state.turns[-1].answer
            if len(answer.hits) != 3 + slot:
                failures.append(f"session {slot} got {len(answer.hits)} passages")
                return
            answered[slot] += 1
            state = handlers.ChatState()  # a fresh conversation each time: bounded memory

    threads = [threading.Thread(target=asker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 15
    uploaded = 0
    try:
        while time.monotonic() < deadline and uploaded < 8 and not failures:
            f = incoming / f"ferry{uploaded}.md"
            f.write_text(f"# Ferry {uploaded}\n\nThe ferry {uploaded} crossed at noon. " * 5)
            status, rows = handlers.upload(a, [str(f)], uploads, max_bytes=100_000)
            assert "Indexed 1 file(s)" in status, status
            if uploaded % 2:
                doc_id = next(r[0] for r in rows if str(r[1]).startswith("Ferry"))
                handlers.remove_document(a, doc_id, uploads)
            uploaded += 1
    finally:
        done.set()
        for t in threads:
            t.join(30)
    assert not failures, failures[0]
    assert uploaded >= 4 and min(answered) >= 2, (uploaded, answered)
    print(f"{uploaded} uploads beside {sum(answered)} answers, none failed")
