"""``python -m ipython_oidc_client._keeper --socket PATH`` (a Jupyter server's keeper, started by its
extension) or ``--stdio`` (a process's own, outside a Jupyter server). Either way it exits when its
stdin reaches end of file: when the process that started it closes it or dies."""

from __future__ import annotations

import argparse
import os
import sys
import threading

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ipython_oidc_client._keeper")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--socket", help="listen on this Unix socket (its directory must be mode 0700)")
    where.add_argument("--stdio", action="store_true", help="serve one connection on stdin and stdout")
    args = parser.parse_args(argv)
    if not harden():
        print("ipython_oidc_client keeper: could not make itself non-dumpable", file=sys.stderr, flush=True)
    keeper = Keeper()
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
