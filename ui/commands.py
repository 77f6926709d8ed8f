"""``rag chat``: the chat UI's command (registered through the ``grounded_rag.commands``
entry point)."""

from __future__ import annotations

import argparse
import os
import threading
from pathlib import Path
from typing import Any

from rag.config import Config
from rag.console import err, open_assistant, out

__all__ = ["register"]


def cmd_chat(args: argparse.Namespace, config: Config) -> int:
    from ui import build_app
    from ui.app import LAUNCH_OPTIONS, QUEUE_OPTIONS

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    assistant = open_assistant(args, config)
    if not assistant.documents():
        seeds = Path(args.seeds)
        if seeds.is_dir():
            out(f"the index is empty: indexing {seeds} first")
            report = assistant.add([seeds], progress=True)
            out(
                f"indexed {len(report.added)} documents, {report.chunks_embedded} passages "
                f"in {report.seconds:.1f} s"
            )
    auth = None
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep or not user or not password:
            err("error: --auth takes USER:PASSWORD")
            return 2
        auth = (user, password)
    elif args.host not in ("127.0.0.1", "localhost", "::1"):
        err(f"warning: serving on {args.host} without --auth: anyone on the network can use it")
    app = build_app(assistant)
    # Gradio gives its server five seconds to start and then reports the port as taken; on a
    # busy two-core machine a model loading beside it took longer than that, so the server
    # starts first and the warm-up after it
    try:
        app.queue(**QUEUE_OPTIONS).launch(
            server_name=args.host,
            server_port=args.port,
            auth=auth,
            inbrowser=False,
            show_error=True,
            quiet=True,
            prevent_thread_lock=True,
            **LAUNCH_OPTIONS,
        )
    except OSError as exc:
        err(
            f"error: cannot serve on {args.host}:{args.port} ({exc}); fix: stop what uses "
            "that port or choose another with --port"
        )
        return 2
    out(f"serving on http://{args.host}:{args.port}")
    if not args.lazy:
        # models and prompt cache load beside the server: the page is usable at once, and a
        # question asked meanwhile waits on the same locks instead of loading twice
        threading.Thread(target=assistant.warm_up, name="warm-up", daemon=True).start()
    app.block_thread()
    return 0


def cmd_serve(args: argparse.Namespace, config: Config) -> int:
    import uvicorn

    from ui.http_api import ApiLimits, build_api, mount_ui

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    api_key = None
    if args.ui and args.api_key_env:
        err(
            "error: --ui with --api-key-env: a browser cannot send the API key; serve the "
            "API with a key here and the UI with rag chat --auth USER:PASSWORD"
        )
        return 2
    if args.api_key_env:
        api_key = os.environ.get(args.api_key_env, "")
        if not api_key:
            err(f"error: --api-key-env {args.api_key_env}: that variable is empty or unset")
            return 2
    elif args.host not in ("127.0.0.1", "localhost", "::1"):
        err(f"warning: serving on {args.host} without --api-key-env: anyone on the network can ask")
    assistant = open_assistant(args, config)
    limits = ApiLimits(concurrency=args.concurrency, queue_size=args.queue_size)
    app = build_api(assistant, api_key=api_key, limits=limits)
    if args.ui:
        app = mount_ui(app, assistant)
    if not args.lazy:
        threading.Thread(target=assistant.warm_up, name="warm-up", daemon=True).start()
    out(
        f"serving the API on http://{args.host}:{args.port}/v1"
        + (" and the UI on /ui" if args.ui else "")
    )
    # access logs off: they would carry nothing but paths, and questions never reach them
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def register(sub: Any) -> None:
    """rag chat: the Gradio UI."""
    s = sub.add_parser("chat", help="the chat UI in the browser (http://127.0.0.1:7860)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=7860)
    s.add_argument("--auth", default=None, help="USER:PASSWORD required to use the UI")
    s.add_argument("--seeds", default="seeds", help="folder indexed when the index is empty")
    s.add_argument("--lazy", action="store_true", help="load models on the first question")
    s.set_defaults(func=cmd_chat)

    s = sub.add_parser("serve", help="an OpenAI-compatible answer API (http://127.0.0.1:8000/v1)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument(
        "--api-key-env",
        default=None,
        metavar="NAME",
        help="require 'Authorization: Bearer <key>' with the key read from this variable",
    )
    s.add_argument("--ui", action="store_true", help="also serve the chat UI on /ui")
    s.add_argument("--concurrency", type=int, default=1, help="answers generated at once")
    s.add_argument("--queue-size", type=int, default=8, help="answers waiting before 503")
    s.add_argument("--lazy", action="store_true", help="load models on the first question")
    s.set_defaults(func=cmd_serve)
