"""UI handlers called directly, with an assistant built from fakes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag import Assistant, Config
from rag.config import AnswerConfig, IndexConfig
from tests.fakes import (
    HashEmbedder,
    KeywordChecker,
    RatingGenerator,
    ScriptedGenerator,
    fake_assistant,
)
from ui import build_app, handlers
from ui.render import render_sources


def _assistant(tmp_path: Path, seeds_copy: Path, *replies: str, retry: bool = False) -> Assistant:
    answer = AnswerConfig(min_relevance=0.2, retry_declined=retry)
    config = Config(index=IndexConfig(dir=tmp_path / "ix"), answer=answer)
    a = Assistant.open(
        config=config,
        embedder=HashEmbedder(),
        generator=ScriptedGenerator(*replies),
        checker=KeywordChecker(),
    )
    a.add([seeds_copy])
    return a


def test_ask_streams_sources_then_tokens_then_a_cited_answer(
    tmp_path: Path, seeds_copy: Path
) -> None:
    a = _assistant(tmp_path, seeds_copy, "placeholder")
    q = "Who recommended the withdrawal of Ukrainian forces from Bakhmut?"
    evidence = next(e for e in a.stream(q) if e.kind == "sources").evidence  # type: ignore[union-attr]
    n = next(e.number for e in evidence if "Zaluzhny a few weeks ago" in e.text)
    a.generator.replies = [  # type: ignore[attr-defined]
        f"Zaluzhny recommended the withdrawal of Ukrainian forces [{n}]."
    ]
    frames = list(handlers.ask(a, q, None))
    # the second frame shows the sources before any answer text exists
    conv2, sources2, _ = frames[1]
    assert (
        'class="source"' in sources2 and "cursor" in conv2 and "Zaluzhny recommended" not in conv2
    )
    # while it streams, the model's text is marked as an unchecked draft
    streaming = [c for c, _s, _st in frames if "Zaluzhny recommended" in c and "final" not in c]
    assert streaming and all("not yet checked against the sources" in c for c in streaming)
    assert all('class="answer pending draft"' in c for c in streaming)
    conv, _sources, state = frames[-1]
    assert 'class="answer final"' in conv and "not yet checked" not in conv
    assert '<a class="cite" href="#src-1-1"' in conv
    viewer = re.search(r'<div class="viewer" id="src-1-1".*?</div></div>', conv, re.S)
    assert viewer and '<mark class="quote">' in viewer.group(0)
    assert "✓ sentence 1" in conv
    assert len(state.turns) == 1 and state.turns[0].question == q
    # a follow-up keeps the first turn's HTML and numbers its own citations separately
    frames = list(handlers.ask(a, "And what did Bild note?", state))
    assert frames[-1][0].count('class="turn"') == 2


def test_an_attributed_citation_is_shown_as_chosen_by_the_verifier(
    tmp_path: Path, seeds_copy: Path
) -> None:
    a = _assistant(tmp_path, seeds_copy, "Zaluzhny recommended the withdrawal of Ukrainian forces.")
    q = "Who recommended the withdrawal of Ukrainian forces from Bakhmut?"
    conv, _s, _st = list(handlers.ask(a, q, None))[-1]
    assert '<a class="cite" href="#src-1-1"' in conv
    assert "verified against a source the verifier chose, not the model" in conv


def test_a_quoted_sentence_is_shown_as_the_sources_own_words(
    tmp_path: Path, seeds_copy: Path
) -> None:
    generator = RatingGenerator({"500 of us": 0.9}, "The documents do not say.")
    a = fake_assistant(tmp_path, seeds_copy, generator, retry_declined=False)
    q = "How many people were in Boris's battalion when it arrived in December?"
    conv, _s, _st = list(handlers.ask(a, q, None))[-1]
    assert "The documents say: “" in conv and '<a class="cite" href="#src-1-1"' in conv
    assert "the source&#x27;s own words, quoted" in conv  # escaped for HTML
    assert "abstained" not in conv


def test_abstention_is_shown_as_such(tmp_path: Path, seeds_copy: Path) -> None:
    a = _assistant(tmp_path, seeds_copy, "The documents do not say.")
    conv, _s, _st = list(handlers.ask(a, "How many tanks did Ukraine lose in Bakhmut?", None))[-1]
    assert "abstained" in conv and "No answer from the documents" in conv
    assert "Closest passages" in conv and "cite" not in conv


def test_a_declined_draft_is_cleared_when_the_model_is_asked_again(
    tmp_path: Path, seeds_copy: Path
) -> None:
    a = _assistant(
        tmp_path,
        seeds_copy,
        "The documents do not say.",
        "Zaluzhny recommended the withdrawal of Ukrainian forces.",
        retry=True,
    )
    q = "Who recommended the withdrawal of Ukrainian forces from Bakhmut?"
    frames = [c for c, _s, _st in handlers.ask(a, q, None)]
    declined = [i for i, c in enumerate(frames) if "do not say" in c]
    retried = [i for i, c in enumerate(frames) if "asking it once more" in c]
    assert declined and retried and max(declined) < min(retried)
    assert "do not say" not in frames[-1] and "Zaluzhny recommended" in frames[-1]


def test_document_text_is_escaped(tmp_path: Path) -> None:
    from index.types import Span
    from rag import Evidence

    ev = Evidence(1, "d", "<script>alert(1)</script>", "en", 0, 10, "<b>x</b>", (Span(0, 8),), 3)
    html = render_sources([ev])
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>x</b>" not in html


def test_stop_sets_the_event(tmp_path: Path, seeds_copy: Path) -> None:
    state = handlers.ChatState()
    handlers.stop(state)
    assert state.stop.is_set()
    handlers.stop(None)  # no conversation yet: nothing to stop


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("notes.md", "notes.md"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\x\\Bericht 2023 (final).pdf", "Bericht_2023_final.pdf"),
        ("$(rm -rf ~).md", "rm_-rf.md"),
        ("..hidden.txt", "hidden.txt"),
        ("x" * 300 + ".docx", "x" * 90 + ".docx"),
        ("noext", "noext"),
    ],
)
def test_safe_name(name: str, safe: str) -> None:
    assert handlers.safe_name(name) == safe


def test_upload_indexes_good_files_and_reports_bad_ones(tmp_path: Path, seeds_copy: Path) -> None:
    a = _assistant(tmp_path, seeds_copy, "x")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    good = incoming / "ferry notes.md"
    good.write_text("# Ferry\n\nThe ferry was painted green in 1911 by Ilse Brandt.")
    empty = incoming / "empty.txt"
    empty.write_text("")
    exe = incoming / "tool.exe"
    exe.write_bytes(b"MZ")
    big = incoming / "big.txt"
    big.write_text("a" * 2000)
    before = len(a.documents())
    status, rows = handlers.upload(
        a, [str(good), str(empty), str(exe), str(big)], tmp_path / "uploads", max_bytes=1000
    )
    assert "Indexed 1 file(s)" in status
    assert "empty.txt: the file is empty" in status
    assert "tool.exe: unsupported type" in status and "big.txt: larger than" in status
    assert len(rows) == before + 1
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["ferry_notes.md"]
    doc_id = next(r[0] for r in rows if r[1] == "Ferry")
    status, rows = handlers.remove_document(a, doc_id, tmp_path / "uploads")
    assert status == "Removed “Ferry”." and len(rows) == before
    assert list((tmp_path / "uploads").iterdir()) == []
    status, _ = handlers.remove_document(a, "nope", tmp_path / "uploads")
    assert "No document" in status
    # an id pasted with spaces around it names the same document
    rows = handlers.upload(a, [str(good)], tmp_path / "uploads", max_bytes=1000)[1]
    doc_id = next(r[0] for r in rows if r[1] == "Ferry")
    status, rows = handlers.remove_document(a, f"  {doc_id} \n", tmp_path / "uploads")
    assert status == "Removed “Ferry”." and len(rows) == before


def test_a_long_text_upload_is_sent_to_the_terminal_with_an_estimate(
    tmp_path: Path, seeds_copy: Path
) -> None:
    a = _assistant(tmp_path, seeds_copy, "x")
    big = tmp_path / "book.txt"
    big.write_text("The ferry crossed the river at noon. " * 160_000)  # 5.9 MB
    before = len(a.documents())
    status, rows = handlers.upload(a, [str(big)], tmp_path / "uploads", max_bytes=20_000_000)
    assert "book.txt: 5.9 MB of text would keep the index busy for about 17 minutes" in status
    assert "rag index book.txt" in status and len(rows) == before


def test_settings_are_validated_and_kept_per_session(tmp_path: Path, seeds_copy: Path) -> None:
    a = _assistant(tmp_path, seeds_copy, "The documents do not say.")
    before = a.config
    msg, mine = handlers.apply_settings(a, 1, 128)
    assert msg.startswith("Settings applied to this session") and mine is not None
    assert a.config == before  # the shared assistant is untouched
    msg, rejected = handlers.apply_settings(a, 3, 5)
    assert msg.startswith("⚠") and "max_tokens" in msg and rejected is None
    q = "Who recommended the withdrawal of Ukrainian forces from Bakhmut?"
    one = handlers.ChatState()
    other = handlers.ChatState()
    list(handlers.ask(a, q, one, mine))
    list(handlers.ask(a, q, other, None))
    # the visitor who chose one passage gets one; the other session keeps the configured 5
    assert len(one.turns[0].answer.hits) == 1
    assert len(other.turns[0].answer.hits) == a.config.retrieval.k == 5


def test_the_page_cannot_change_the_backend_or_see_the_key(
    tmp_path: Path, seeds_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-of-the-operator")
    a = _assistant(tmp_path, seeds_copy, "x")
    app = build_app(a)
    labels = [c.get("props", {}).get("label") for c in app.config["components"]]
    # no generator choice, server URL or model name a visitor could point elsewhere
    assert not [x for x in labels if x and ("URL" in x or "Generator" in x or "Model" in x)]
    text = json.dumps(app.config, default=str)
    assert "sk-secret-of-the-operator" not in text
    assert "not from this page" in handlers.backend_description(a)


def test_a_failing_generator_is_reported_in_the_conversation(
    tmp_path: Path, seeds_copy: Path
) -> None:
    class Broken(ScriptedGenerator):
        def stream(self, request, stop=None):  # type: ignore[no-untyped-def]
            raise RuntimeError("http://127.0.0.1:9/v1 answered HTTP 404: check the base URL")
            yield ""

    a = _assistant(tmp_path, seeds_copy, "x")
    a._generator = Broken()
    a._answerer = None
    conv, _s, state = list(handlers.ask(a, "Who recommended the withdrawal from Bakhmut?", None))[
        -1
    ]
    assert "Could not answer" in conv and "HTTP 404" in conv
    assert state.turns == []  # a failed turn is not part of the conversation
