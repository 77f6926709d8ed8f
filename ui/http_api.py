"""An OpenAI-compatible HTTP API over one open Assistant (``rag serve``).

``POST /v1/chat/completions`` answers the last user message, with the earlier turns as the
conversation; plain OpenAI clients read ``choices[0].message.content`` (the verified answer
with its [n] markers), aware ones read the extra ``grounding`` field: every citation with
its exact character span and quote, and the verdict of every drafted sentence. With
``stream: true`` the draft tokens arrive as chunks and ``grounding`` rides on the last one,
whose content carries the verified text (a draft is not yet checked; see ``rag ask``).

Imported by ``rag serve`` only (fastapi resolves the handlers' annotations from this
module's globals, so its names are imported at the top).

The local model answers one question at a time: requests wait for a slot in a bounded
queue, and a full queue answers 503 with Retry-After instead of letting waits grow.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from rag import Answer, AnswerEvent, Assistant, RagError, TokenEvent, Turn
from rag.types import Timings

__all__ = ["ApiLimits", "build_api", "grounding", "mount_ui"]

MODEL_ID = "grounded-rag"


@dataclass(frozen=True)
class ApiLimits:
    concurrency: int = 1  # answers generated at once (the local model: one)
    queue_size: int = 8  # answers waiting for a slot before 503
    max_body_bytes: int = 1_000_000  # larger request bodies get 413
    retry_after_seconds: int = 10


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind


def grounding(answer: Answer) -> dict[str, Any]:
    """The citations and per-sentence verdicts an aware client reads beside the text."""
    return {
        "text": answer.text,  # the verified answer; in a stream, the drafts were unchecked
        "abstained": answer.abstained,
        "reason": answer.reason,
        "citations": [
            {
                "number": c.number,
                "doc_id": c.doc_id,
                "title": c.title,
                "start": c.start,
                "end": c.end,
                "quote": c.quote,
                "attributed": any(
                    c.number in s.citations and s.attributed for s in answer.sentences
                ),
            }
            for c in answer.citations
        ],
        "sentences": [asdict(s) for s in answer.sentences],
        "timings": asdict(answer.timings),
        "second_draft": answer.second_draft,
        "premise_score": answer.premise_score,
    }


def _history(messages: list[dict[str, Any]]) -> tuple[str, list[Turn]]:
    """The last user message is the question; earlier user/assistant pairs are the turns."""
    if not messages or not isinstance(messages, list):
        raise ApiError(400, "messages must be a non-empty list")
    texts: list[tuple[str, str]] = []
    for m in messages:
        if not isinstance(m, dict) or not isinstance(m.get("content"), str):
            raise ApiError(400, "each message needs a role and a string content")
        texts.append((str(m.get("role")), m["content"]))
    if texts[-1][0] != "user" or not texts[-1][1].strip():
        raise ApiError(400, "the last message must be a non-empty user message")
    turns: list[Turn] = []
    pending: str | None = None
    for role, content in texts[:-1]:
        if role == "user":
            pending = content
        elif role == "assistant" and pending is not None:
            turns.append(Turn(pending, _past_answer(pending, content)))
            pending = None
    return texts[-1][1], turns


def _past_answer(question: str, text: str) -> Answer:
    # an earlier turn as the client sent it back: its text is what a follow-up refers to
    return Answer(question, question, "en", text, (), (), False, "", (), (), Timings())


class _Slots:
    """At most ``concurrency`` answers at once and ``queue_size`` waiting; beyond, refuse."""

    def __init__(self, limits: ApiLimits) -> None:
        self._limits = limits
        self.sem = threading.BoundedSemaphore(limits.concurrency)
        self._lock = threading.Lock()
        self._waiting = 0

    def enter(self) -> None:
        with self._lock:
            if self._waiting >= self._limits.queue_size + self._limits.concurrency:
                raise ApiError(503, "the answer queue is full; retry later", "server_busy")
            self._waiting += 1

    def leave(self) -> None:
        with self._lock:
            self._waiting -= 1


def _events(
    assistant: Assistant, slots: _Slots, question: str, turns: list[Turn], stop: threading.Event
) -> Iterator[Any]:
    """The assistant's events once this request holds an answer slot (its place in the
    queue was taken by the caller and is given back here, whatever happens)."""
    held = False
    try:
        while not (held := slots.sem.acquire(timeout=0.2)):
            if stop.is_set():
                return
        yield from assistant.stream(question, turns or None, stop=stop)
    finally:
        if held:
            slots.sem.release()
        slots.leave()


class _Pump:
    """Runs a blocking event iterator in its own thread from the moment it is made, and
    hands the events to the event loop. The thread alone advances the iterator, so a
    request that is cancelled (its client left) only sets ``stop``: the thread sees it,
    ends the answer early and gives the answer slot back."""

    _END = object()

    def __init__(self, events: Iterator[Any], stop: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self.stop = stop
        threading.Thread(target=self._work, args=(events,), daemon=True).start()

    def _put(self, item: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the server is shutting down: nobody is listening
            self.stop.set()

    def _work(self, events: Iterator[Any]) -> None:
        try:
            for item in events:
                self._put(item)
        except RagError as exc:
            self._put(exc)
        finally:
            self._put(self._END)

    async def __aiter__(self) -> AsyncIterator[Any]:
        try:
            while (item := await self._queue.get()) is not self._END:
                if isinstance(item, RagError):
                    raise item
                yield item
        finally:
            self.stop.set()  # the answer ended, or its client left: stop generating


def build_api(
    assistant: Assistant, api_key: str | None = None, limits: ApiLimits | None = None
) -> Any:
    limits = limits or ApiLimits()
    slots = _Slots(limits)

    async def guard(request: Request) -> None:
        # a dependency, not an HTTP middleware: Starlette's middleware wrapper can hide a
        # client's disconnect from the handler, and a gone client must stop its answer
        refused = _refusal(request.url.path, request.headers, api_key, limits)
        if refused is not None:
            raise refused

    app = FastAPI(
        title="Grounded document QA",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(guard)],
    )

    def error(exc: ApiError) -> JSONResponse:
        headers = {"Retry-After": str(limits.retry_after_seconds)} if exc.status == 503 else None
        return JSONResponse(_error_body(exc), status_code=exc.status, headers=headers)

    async def body(request: Request) -> dict[str, Any]:
        return _parse(await request.body(), limits)

    @app.exception_handler(ApiError)
    async def on_api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error(exc)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        card = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "local"}
        return {"object": "list", "data": [card]}

    @app.get("/v1/documents")
    async def documents() -> dict[str, Any]:
        docs = await asyncio.to_thread(assistant.documents)
        return {"object": "list", "data": [asdict(d) for d in docs]}

    @app.post("/v1/search")
    async def search(request: Request) -> dict[str, Any]:
        data = await body(request)
        query = data.get("query")
        if not isinstance(query, str) or not query.strip():
            raise ApiError(400, "query must be a non-empty string")
        k = data.get("k")
        if k is not None and (not isinstance(k, int) or not 1 <= k <= 50):
            raise ApiError(400, "k must be an integer from 1 to 50")
        hits = await asyncio.to_thread(assistant.search, query, k)
        return {"object": "list", "data": [_hit(h) for h in hits]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        data = await body(request)
        question, turns = _history(data.get("messages"))  # type: ignore[arg-type]
        stop = threading.Event()
        slots.enter()
        events = _Pump(_events(assistant, slots, question, turns, stop), stop).__aiter__()
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        if data.get("stream"):
            return StreamingResponse(_sse(events, ident, created), media_type="text/event-stream")
        answer = None
        try:
            async for event in events:
                if isinstance(event, AnswerEvent):
                    answer = event.answer
                elif await request.is_disconnected():
                    stop.set()  # nobody is waiting for this answer any more
        except RagError as exc:
            raise ApiError(502, str(exc), "backend_error") from exc
        if answer is None:
            raise ApiError(503, "the answer was stopped", "server_busy")
        return _completion(answer, ident, created)

    return app


def mount_ui(app: FastAPI, assistant: Assistant) -> FastAPI:
    """The chat UI on /ui of the same server: one process, one loaded model."""
    import gradio as gr

    from ui.app import LAUNCH_OPTIONS, QUEUE_OPTIONS, build_app

    page = build_app(assistant).queue(**QUEUE_OPTIONS)
    options = {k: v for k, v in LAUNCH_OPTIONS.items() if k in ("css", "js")}
    mounted: FastAPI = gr.mount_gradio_app(app, page, path="/ui", **options)
    return mounted


def _refusal(path: str, headers: Any, api_key: str | None, limits: ApiLimits) -> ApiError | None:
    """Why a request is refused before it is read, or None."""
    if path != "/healthz" and api_key is not None:
        given = headers.get("authorization", "")
        # constant time: the comparison does not tell how much of a guessed key was right
        if not hmac.compare_digest(given.encode(), f"Bearer {api_key}".encode()):
            return ApiError(401, "missing or wrong API key", "authentication_error")
    size = headers.get("content-length")
    if size is not None and size.isdigit() and int(size) > limits.max_body_bytes:
        return ApiError(413, f"request body over {limits.max_body_bytes} bytes")
    return None


def _parse(raw: bytes, limits: ApiLimits) -> dict[str, Any]:
    if len(raw) > limits.max_body_bytes:  # a chunked body has no content-length
        raise ApiError(413, f"request body over {limits.max_body_bytes} bytes")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"the body is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    return data


def _error_body(exc: ApiError) -> dict[str, Any]:
    return {"error": {"message": exc.message, "type": exc.kind, "code": exc.status}}


def _hit(h: Any) -> dict[str, Any]:
    c = h.chunk
    return {
        "doc_id": c.doc_id,
        "title": h.title,
        "language": h.language,
        "start": c.start,
        "end": c.end,
        "text": c.text,
        "score": h.score,
    }


def _completion(answer: Answer, ident: str, created: int) -> dict[str, Any]:
    message = {"role": "assistant", "content": answer.text}
    return {
        "id": ident,
        "object": "chat.completion",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": answer.prompt_tokens,
            "completion_tokens": 0,
            "total_tokens": answer.prompt_tokens,
        },
        "grounding": grounding(answer),
    }


def _chunk(
    ident: str, created: int, delta: dict[str, Any], finish: str | None = None
) -> dict[str, Any]:
    body = {
        "id": ident,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return body


async def _sse(events: AsyncIterator[Any], ident: str, created: int) -> AsyncIterator[str]:
    def line(obj: Any) -> str:
        return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"

    yield line(_chunk(ident, created, {"role": "assistant", "content": ""}))
    try:
        async for event in events:
            if isinstance(event, TokenEvent) and event.restart:
                # a stream cannot take back what it sent: say that a new draft begins
                note = f"\n\n({event.why or 'the draft was dropped'})\n\n"
                yield line(_chunk(ident, created, {"content": note}))
            if isinstance(event, TokenEvent) and event.text:
                yield line(_chunk(ident, created, {"content": event.text}))
            elif isinstance(event, AnswerEvent):
                last = _chunk(ident, created, {}, "stop")
                last["grounding"] = grounding(event.answer)
                yield line(last)
    except RagError as exc:
        yield line({"error": {"message": str(exc), "type": "backend_error", "code": 502}})
    yield "data: [DONE]\n\n"
