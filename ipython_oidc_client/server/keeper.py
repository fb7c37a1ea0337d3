"""The server's token keeper (docs/keeper.md): one process per Jupyter server, started when a page
first needs it, reached through a Unix socket in a directory of mode 0700 under Jupyter's runtime
directory, and gone with the server (it exits when its stdin closes). Kernels started by this server
find the socket in their environment and follow their sessions there directly."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .._codes import relayed_code
from .._keeper.clients import env_names
from .._keeper.wire import MAX_LINE, SOCKET_ENV, KeeperError, Op

#: A Unix socket's path must fit sun_path (108 bytes on Linux, with its NUL).
MAX_SOCKET_PATH = 100
#: How long a started keeper may take to listen.
START_SECONDS = 15.0


def _socket_dir(runtime_dir: str) -> Path:
    """A fresh directory of mode 0700 for the socket: under the runtime directory, or under the
    system's temporary directory where that path would be too long for a socket."""
    base = Path(runtime_dir)
    try:
        base.mkdir(parents=True, exist_ok=True)
        where = Path(tempfile.mkdtemp(prefix="oidc-keeper-", dir=base))
    except OSError:
        where = Path(tempfile.mkdtemp(prefix="oidc-keeper-"))
    if len(str(where / "keeper.sock")) > MAX_SOCKET_PATH:
        shutil.rmtree(where, ignore_errors=True)
        where = Path(tempfile.mkdtemp(prefix="oidc-keeper-"))
    os.chmod(where, 0o700)  # mkdtemp makes it so; said again, as the socket's only door
    return where


class KeeperProcess:
    def __init__(self, runtime_dir: str, log: Any, clients: dict[str, Any] | None = None) -> None:
        """``clients``: the administrator's confidential clients (``registry.confidential``), given to
        the keeper on its stdin; their secrets' environment variables are taken out of this process's
        environment, which every kernel it starts inherits, and given to the keeper alone."""
        self.dir = _socket_dir(runtime_dir)
        self.path = str(self.dir / "keeper.sock")
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self._starting: asyncio.Lock | None = None
        self._clients = json.dumps({"clients": clients or {}}) + "\n"
        names = {name for item in (clients or {}).values() for name in env_names(item["auth"])}
        self._env = {name: os.environ.pop(name) for name in sorted(names) if name in os.environ}
        # Kernels started from now on inherit it (jupyter_client launches them with os.environ).
        os.environ[SOCKET_ENV] = self.path

    def _launch(self) -> subprocess.Popen[bytes]:
        try:
            os.unlink(self.path)
        except OSError:
            pass
        proc = subprocess.Popen(  # noqa: S603 - this package's module, by this interpreter
            [
                sys.executable,
                "-m",
                "ipython_oidc_client._keeper",
                "--socket",
                self.path,
                "--clients-on-stdin",
            ],
            stdin=subprocess.PIPE,  # kept open: its end of file tells the keeper the server is gone
            stdout=subprocess.PIPE,  # one line: what it made of the clients
            env={**os.environ, **self._env},
            start_new_session=True,  # a Ctrl-C to the server's terminal is the server's to handle
        )
        assert proc.stdin is not None
        proc.stdin.write(self._clients.encode())
        proc.stdin.flush()
        return proc

    def _loaded(self, proc: subprocess.Popen[bytes]) -> list[str]:
        """Read the keeper's one line about the clients; log its warnings, return its errors."""
        assert proc.stdout is not None
        with proc.stdout:
            line = proc.stdout.readline()
        try:
            answer = json.loads(line)
        except ValueError:
            return [f"the token keeper ended while it loaded the providers' credentials ({proc.poll()})"]
        for warning in answer.get("warnings", []):
            self.log.warning("ipython_oidc_client: %s", warning)
        return [str(e) for e in answer.get("errors", [])]

    def start_now(self) -> list[str]:
        """Start the keeper while the server starts (it has confidential clients to check); return
        what is wrong with them: the server stops on it."""
        self.proc = self._launch()
        errors = self._loaded(self.proc)
        if not errors:
            self.log.info("ipython_oidc_client: token keeper started (pid %s)", self.proc.pid)
        return errors

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def ensure(self) -> None:
        if self.alive():
            return
        self._starting = self._starting or asyncio.Lock()
        async with self._starting:
            if self.alive():
                return
            if self.proc is not None:
                self.log.warning(
                    "ipython_oidc_client: the token keeper ended (%s); starting a new one",
                    self.proc.returncode,
                )
            self.proc = self._launch()
            errors = await asyncio.get_running_loop().run_in_executor(None, self._loaded, self.proc)
            for error in errors:
                self.log.error("ipython_oidc_client: %s", error)
            deadline = time.monotonic() + START_SECONDS
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    _, writer = await asyncio.open_unix_connection(self.path)
                    writer.close()
                    self.log.info("ipython_oidc_client: token keeper started (pid %s)", self.proc.pid)
                    return
                except OSError:
                    await asyncio.sleep(0.02)  # polled with the deadline above
            raise KeeperError(
                "keeper_unavailable", "The server's token keeper did not start. See the server's log."
            )

    async def call(self, op: Op, reply_seconds: float = 45.0, **args: Any) -> dict[str, Any]:
        """One request on a connection of its own; KeeperError when refused or unreachable."""
        await self.ensure()
        try:
            reader, writer = await asyncio.open_unix_connection(self.path, limit=4 * MAX_LINE)
        except OSError:
            raise KeeperError(
                "keeper_unavailable", "The server's token keeper does not answer. Reload the page."
            ) from None
        try:
            writer.write((json.dumps({"id": 1, "op": op, **args}) + "\n").encode())
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), reply_seconds)
        except (OSError, asyncio.TimeoutError):
            raise KeeperError(
                "keeper_unavailable", f"The server's token keeper did not answer {op!r} in time."
            ) from None
        finally:
            writer.close()
        try:
            reply = json.loads(line)
        except ValueError:
            raise KeeperError(
                "keeper_unavailable", "The server's token keeper ended during the request."
            ) from None
        if not reply.get("ok"):
            raise KeeperError(relayed_code(reply.get("error")), str(reply.get("message")))
        reply.pop("ok", None)
        reply.pop("id", None)
        return dict(reply)

    def stop(self) -> None:
        """With the server: close its stdin, and stop it by its pid if it lingers."""
        proc = self.proc
        if proc is not None:
            if proc.stdin is not None:
                try:
                    proc.stdin.close()
                except OSError:
                    pass
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
