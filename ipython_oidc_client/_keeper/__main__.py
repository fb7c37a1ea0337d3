"""``python -m ipython_oidc_client._keeper --socket PATH`` (a Jupyter server's keeper, started by its
extension) or ``--stdio`` (a process's own, outside a Jupyter server). Either way it exits when its
stdin reaches end of file: when the process that started it closes it or dies."""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading

from .credentials import Client, load_all
from .harden import harden
from .keeper import Keeper
from .server import Line, serve_socket, serve_stream


def _exit_at_eof(path: str | None) -> None:
    sys.stdin.buffer.read()
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass
    os._exit(0)


def _clients_from_stdin() -> dict[str, Client]:
    """The server's first line: its confidential clients. The answer, one line on stdout, says what
    could not be loaded; stdout is then closed (nothing else is ever written there)."""
    try:
        clients = json.loads(sys.stdin.buffer.readline() or b"{}").get("clients") or {}
    except (ValueError, AttributeError):
        clients = {}
    loaded, errors, warnings = load_all(clients, os.environ)
    sys.stdout.write(json.dumps({"ok": not errors, "errors": errors, "warnings": warnings}) + "\n")
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    if errors:
        os._exit(2)
    return loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ipython_oidc_client._keeper")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--socket", help="listen on this Unix socket (its directory must be mode 0700)")
    where.add_argument("--stdio", action="store_true", help="serve one connection on stdin and stdout")
    parser.add_argument(
        "--clients-on-stdin",
        action="store_true",
        help="read the server's confidential clients as one JSON line on stdin first (with --socket)",
    )
    args = parser.parse_args(argv)
    # Before any secret is read: no other process of this user may read this one's memory.
    if not harden():
        print("ipython_oidc_client keeper: could not make itself non-dumpable", file=sys.stderr, flush=True)
    keeper = Keeper(_clients_from_stdin() if args.clients_on_stdin and not args.stdio else None)
    if args.stdio:
        out = sys.stdout.buffer

        def write(data: bytes) -> None:
            out.write(data)
            out.flush()

        serve_stream(keeper, sys.stdin.buffer, Line(write), native=True)
        os._exit(0)
    threading.Thread(target=_exit_at_eof, args=(args.socket,), daemon=True, name="parent-watch").start()
    serve_socket(keeper, args.socket)
    return 0


if __name__ == "__main__":
    sys.exit(main())
