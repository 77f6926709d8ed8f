"""`rag chat` when its port is taken: a clear error naming the port and the fix, exit code 2,
as a user starts it (a real process; --lazy loads no model). The process inherits the offline
settings tests/conftest.py puts into the environment."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "rag"),
                "--index",
                str(tmp_path / "index"),
                "chat",
                "--port",
                str(port),
                "--lazy",
                "--seeds",
                str(tmp_path / "no-seeds"),
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert run.returncode == 2, run.stderr[-2000:]
    assert f"cannot serve on 127.0.0.1:{port}" in run.stderr
    assert "--port" in run.stderr
    assert "Traceback" not in run.stderr
    assert "serving on" not in run.stdout
