"""The real keeper program (``python -m ipython_oidc_client._keeper --socket PATH``) for a test, in a
fresh 0700 directory under the system's temporary directory (a socket's path must stay short), stopped
by its pid afterwards; and a raw line-by-line client of its socket protocol."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


class Conn:
    """One connection, speaking JSON lines."""

    def __init__(self, path: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(15)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.reader = self.sock.makefile("rb")

    def send(self, message: dict[str, Any] | bytes) -> None:
        self.sock.sendall(message if isinstance(message, bytes) else json.dumps(message).encode() + b"\n")

    def read(self) -> dict[str, Any]:
        line = self.reader.readline()
        assert line, "the keeper closed the connection"
        message: dict[str, Any] = json.loads(line)
        return message

    def ask(self, op: str, rid: int = 1, **args: Any) -> dict[str, Any]:
        """A request, and its answer (events on the way are skipped)."""
        self.send({"id": rid, "op": op, **args})
        while True:
            message = self.read()
            if message.get("id") == rid and "event" not in message:
                return message

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


class Running:
    def __init__(self, proc: subprocess.Popen[bytes], path: str, log: Path) -> None:
        self.proc, self.path, self.log = proc, path, log

    def connect(self) -> Conn:
        return Conn(self.path)

    def renew(self, session_id: str) -> dict[str, Any]:
        """Ask the keeper to renew ``session_id`` now (what the widget's Renew does); its answer."""
        conn = self.connect()
        try:
            return conn.ask("renew", session=session_id)
        finally:
            conn.close()


def _wait_for(path: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            Conn(path).close()
            return
        except OSError:
            time.sleep(0.02)  # polling a condition with a deadline
    raise AssertionError(f"the keeper did not start (exit status {proc.poll()})")


@contextmanager
def keeper_process() -> Iterator[Running]:
    where = tempfile.mkdtemp(prefix="oidc-k-")  # mode 0700
    path = os.path.join(where, "keeper.sock")
    log = Path(where) / "stderr"
    err: IO[bytes] = open(log, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ipython_oidc_client._keeper", "--socket", path],
        stdin=subprocess.PIPE,
        stderr=err,
        start_new_session=True,
    )
    try:
        _wait_for(path, proc)
        yield Running(proc, path, log)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        err.close()
        shutil.rmtree(where, ignore_errors=True)
