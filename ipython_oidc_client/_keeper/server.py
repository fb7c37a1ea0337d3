"""How the keeper is reached: a Unix socket in a directory of mode 0700 (a Jupyter server's keeper),
or its own stdin and stdout (a process's private keeper, outside a Jupyter server). Each connection
is served by a thread; a request is answered on the connection it came on."""

from __future__ import annotations

import os
import select
import socket
import struct
import sys
import threading
from collections.abc import Callable, Mapping
from typing import IO, Any

from .._text import shown
from .keeper import Keeper
from .wire import MAX_LINE, ErrorReply, KeeperError, decode, encode


class Line:
    """One connection's writing end, one writer at a time; False once the other end is gone."""

    def __init__(self, write: Callable[[bytes], Any]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self.open = True

    def send(self, message: Mapping[str, Any]) -> bool:
        if not self.open:
            return False
        try:
            with self._lock:
                self._write(encode(message))
            return True
        except (OSError, ValueError):
            self.open = False
            return False


def dispatch(keeper: Keeper, raw: bytes, line: Line, native: bool) -> Mapping[str, Any]:
    rid: Any = None
    try:
        msg = decode(raw)
        rid, op = msg.get("id"), msg.get("op")
        if op == "ping":
            result = keeper.ping()
        elif op == "begin":
            result = keeper.begin(
                msg.get("config"),
                msg.get("redirect_uri"),
                msg.get("instance"),
                bool(msg.get("fresh")),
                msg.get("label"),
                msg.get("renew_before"),
            )
        elif op == "redeem":
            result = keeper.redeem(msg.get("state"), msg.get("response"))
        elif op == "session":
            result = keeper.view(msg.get("session"))
        elif op == "instance":
            result = keeper.instance(msg.get("instance"))
        elif op == "wait":
            result = keeper.wait(msg.get("sessions"), msg.get("timeout"))
        elif op == "renew":
            result = keeper.renew(msg.get("session"))
        elif op == "logout":
            result = keeper.logout(msg.get("session"), msg.get("post_logout_redirect_uri"))
        elif op == "token":
            result = keeper.token(msg.get("session"))
        elif op == "resource":
            result = keeper.resource(msg.get("instance"), msg.get("child"), msg.get("resource"))
        elif op == "follow":
            result = keeper.follow(msg.get("instance"), line.send)
        elif op == "native" and native:
            from .native import sign_in_natively

            threading.Thread(
                target=sign_in_natively, args=(keeper, msg, line.send), daemon=True, name="keeper-native"
            ).start()
            result = {}
        else:
            raise KeeperError(
                "invalid_request", f"The token keeper does not know the operation {shown(repr(op), 60)}."
            )
        return {"id": rid, "ok": True, **result}
    except KeeperError as err:
        refused: ErrorReply = {"id": rid, "ok": False, "error": err.error, "message": err.message}
        return refused
    except Exception as err:  # never the request's content: it may hold a code
        print(f"ipython_oidc_client keeper: {type(err).__name__} in a request", file=sys.stderr, flush=True)
        failed: ErrorReply = {
            "id": rid,
            "ok": False,
            "error": "keeper_failed",
            "message": f"The token keeper failed ({type(err).__name__}). Click Sign in to try again.",
        }
        return failed


def serve_stream(keeper: Keeper, reader: IO[bytes], line: Line, native: bool = False) -> None:
    try:
        while True:
            raw = reader.readline(MAX_LINE + 1)
            if not raw:
                return
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                # Refused whole: the rest of an over-long line is no request of its own.
                while (rest := reader.readline(MAX_LINE + 1)) and not rest.endswith(b"\n"):
                    pass
            if raw.strip():
                line.send(dispatch(keeper, raw, line, native))
    except OSError:
        return
    finally:
        line.open = False
        keeper.unfollow(line.send)


def _same_user(conn: socket.socket) -> bool:
    """SO_PEERCRED (unix(7)): the other end runs as this user. The 0700 directory already says so;
    this is the second lock on the same door."""
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (AttributeError, OSError):
        return True  # not Linux: the directory's mode is the only check
    _pid, uid, _gid = struct.unpack("3i", creds)
    return bool(uid == os.getuid())


#: A follower that does not read for this long is dropped: the keeper never waits on one kernel.
WRITE_SECONDS = 5.0


def _writer(conn: socket.socket) -> Callable[[bytes], None]:
    def write(data: bytes) -> None:
        view = memoryview(data)
        while view:
            if not select.select([], [conn], [], WRITE_SECONDS)[1]:
                raise OSError("the other end does not read")
            view = view[conn.send(view, socket.MSG_DONTWAIT) :]

    return write


def _serve_connection(keeper: Keeper, conn: socket.socket) -> None:
    with conn:
        if not _same_user(conn):
            return
        serve_stream(keeper, conn.makefile("rb"), Line(_writer(conn)))


def serve_socket(keeper: Keeper, path: str) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(128)
    while True:
        conn, _ = listener.accept()
        threading.Thread(
            target=_serve_connection, args=(keeper, conn), daemon=True, name="keeper-conn"
        ).start()
