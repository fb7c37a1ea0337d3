"""Talking to a keeper from another process — a kernel, or a process that signs in without a
notebook frontend — with the standard library only (the package's import stays light).

A ``Link`` is one connection with a reader thread: replies go to the request that waits for them,
events (a followed session's new token, a native sign-in's lines) to ``on_event``."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from .._codes import relayed_code
from .wire import SOCKET_ENV, KeeperError, Op, decode, encode

#: How long a request may wait for its reply (a redeem includes the provider's token endpoint).
REPLY_SECONDS = 30.0


class KeeperUnavailable(Exception):
    """No keeper answers here: no socket named, or nothing listening on it."""


def socket_path() -> str | None:
    """Where this Jupyter server's keeper listens (its extension tells its kernels), if anywhere."""
    return os.environ.get(SOCKET_ENV) or None


class Link:
    def __init__(
        self,
        reader: IO[bytes],
        write: Callable[[bytes], Any],
        close: Callable[[], None],
        on_event: Callable[[dict[str, Any]], None] = lambda _e: None,
        on_gone: Callable[[], None] = lambda: None,
    ) -> None:
        self._reader = reader
        self._write = write
        self._close = close
        self._on_event = on_event
        self._on_gone = on_gone
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._waiting: dict[int, tuple[threading.Event, list[dict[str, Any]]]] = {}
        self.gone = threading.Event()
        threading.Thread(target=self._read, daemon=True, name="oidc-keeper-link").start()

    @classmethod
    def to_socket(cls, path: str | None = None, **callbacks: Any) -> Link:
        """Connect to the keeper at ``path`` (default: this server's, from the environment)."""
        path = path or socket_path()
        if not path:
            raise KeeperUnavailable("no token keeper is named in this process's environment")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(5.0)
            sock.connect(path)
            sock.settimeout(None)
        except OSError as err:
            sock.close()
            raise KeeperUnavailable(
                f"the token keeper at {path} does not answer ({type(err).__name__})"
            ) from None

        def close() -> None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

        return cls(sock.makefile("rb"), sock.sendall, close, **callbacks)

    def _read(self) -> None:
        try:
            for raw in self._reader:
                try:
                    message = decode(raw)
                except KeeperError:
                    continue
                rid = message.get("id")
                if "event" in message:
                    try:
                        self._on_event(message)
                    except Exception:  # noqa: S110 - a callback's fault must not end the link
                        pass
                elif isinstance(rid, int):
                    with self._lock:
                        waiter = self._waiting.pop(rid, None)
                    if waiter is not None:
                        waiter[1].append(message)
                        waiter[0].set()
        except (OSError, ValueError):
            pass
        finally:
            try:
                self._reader.close()  # a socket's file: the socket itself closes once both are closed
            except (OSError, ValueError):
                pass
            self.gone.set()
            with self._lock:
                for event, _ in self._waiting.values():
                    event.set()
            self._on_gone()

    def request(self, op: Op, timeout: float = REPLY_SECONDS, **args: Any) -> dict[str, Any]:
        """Ask, and wait for the answer; KeeperError when refused, KeeperUnavailable when gone."""
        return self.ask(op, args, timeout)

    def ask(self, op: str, args: Mapping[str, Any], timeout: float = REPLY_SECONDS) -> dict[str, Any]:
        """``request`` with the arguments as a dict, which may hold a ``timeout`` of their own (a
        native sign-in's) besides how long to wait for the answer."""
        rid = next(self._ids)
        done: tuple[threading.Event, list[dict[str, Any]]] = (threading.Event(), [])
        with self._lock:
            self._waiting[rid] = done
        try:
            self._write(encode({"id": rid, "op": op, **args}))
        except (OSError, ValueError):
            raise KeeperUnavailable("the token keeper closed the connection") from None
        if not done[0].wait(timeout) or not done[1]:
            with self._lock:
                self._waiting.pop(rid, None)
            raise KeeperUnavailable(f"the token keeper did not answer {op!r}")
        reply = done[1][0]
        if not reply.get("ok"):
            raise KeeperError(relayed_code(reply.get("error")), str(reply.get("message")))
        return reply

    def close(self) -> None:
        self._close()


def call(op: Op, path: str | None = None, timeout: float = REPLY_SECONDS, **args: Any) -> dict[str, Any]:
    """One request on a connection of its own."""
    link = Link.to_socket(path)
    try:
        return link.request(op, timeout=timeout, **args)
    finally:
        link.close()


class PrivateKeeper:
    """A keeper of this process's own (``--stdio``), for sign-ins outside a Jupyter server: started in
    a session of its own, so that a Ctrl-C reaches this process only, which then stops it; it exits
    when its stdin closes, i.e. when this process exits or is killed."""

    def __init__(self, **callbacks: Any) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ipython_oidc_client._keeper", "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        stdin = self.proc.stdin

        def write(data: bytes) -> None:
            stdin.write(data)
            stdin.flush()

        self.link = Link(self.proc.stdout, write, self._close_stdin, **callbacks)

    def _close_stdin(self) -> None:
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """End it, by its pid: it takes the refresh token with it."""
        self._close_stdin()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()  # the link's reader ends with it
