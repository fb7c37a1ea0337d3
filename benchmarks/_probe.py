"""What the kernels tell the benchmark, over loopback TCP: when a token arrived (times, never the
token), and a barrier that holds many kernels' cells and releases them at once.

Kernels and this process share the machine's clock, so the kernel's ``time.time()`` can be set
against a timestamp taken here when Shift+Enter was pressed.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

# Defined in each measured notebook's first cell. `bench_watch` polls `s.received_at`, which the
# kernel's follower of the token keeper (ipython_oidc_client/_follow.py, a thread of its own) set with
# time.time() when it filled the token: the polling interval delays the report, not the figure.
# `bench_now` reports at once (does the kernel hold a token now?).
KERNEL_SETUP = '''
import json as _bj, socket as _bs, threading as _bt, time as _btime
from ipython_oidc_client import authenticate

def _bench_send(msg, wait=False):
    with _bs.create_connection(("127.0.0.1", {port}), timeout=300) as c:
        c.sendall((_bj.dumps(msg) + "\\n").encode())
        if wait:
            c.recv(16)

def bench_barrier(label):
    _bench_send({{"kind": "barrier", "label": label}}, wait=True)

def _bench_result(s):
    return {{"received_at": s.received_at, "has_token": bool(s.token.get("access_token")),
            "error": s.error.error if s.error else None}}

def bench_now(label, s):
    _bench_send({{"label": label, "t0": _btime.time(), **_bench_result(s)}})

def bench_watch(label, s, t0, deadline=90.0):
    def run():
        end = _btime.time() + deadline
        while s.received_at is None and _btime.time() < end:
            if s.error is not None and s.error.error not in ("popup_blocked", "popup_closed"):
                break
            _btime.sleep(0.01)
        _bench_send({{"label": label, "t0": t0, **_bench_result(s)}})
    _bt.Thread(target=run, daemon=True).start()

def bench_renewals(label, s, renewals, period=0.05, deadline=300.0):
    """Sample the token until `renewals` new tokens arrived after the first: the share of samples
    with a valid token, and how long before the old token's expiry each new one arrived."""
    def run():
        end = _btime.time() + deadline
        while s.received_at is None and _btime.time() < end:
            _btime.sleep(period)
        start, last, expires = _btime.time(), s.received_at, s.token.get("expires_at")
        samples = valid = 0
        margins, arrivals = [], []
        while len(margins) < renewals and _btime.time() < end:
            now = _btime.time()
            exp = s.token.get("expires_at")
            samples += 1
            valid += bool(s.token.get("access_token")) and exp is not None and exp > now
            if s.received_at != last:
                last = s.received_at
                margins.append(expires - last)
                arrivals.append(last)
                expires = exp
            _btime.sleep(period)
        _bench_send({{"label": label, "start": start, "end": _btime.time(), "samples": samples,
                     "valid": valid, "margins": margins, "arrivals": arrivals, **_bench_result(s)}})
    _bt.Thread(target=run, daemon=True).start()

print("bench-ready")
'''


class Probe:
    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        self._cond = threading.Condition()
        self._reports: dict[str, dict[str, Any]] = {}
        self._held: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def setup_cell(self) -> str:
        return KERNEL_SETUP.format(port=self.port)

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn.makefile("rb") as f:
            line = f.readline()
        msg = json.loads(line)
        with self._cond:
            if msg.get("kind") == "barrier":
                self._held.append(conn)  # answered by release()
            else:
                self._reports[msg["label"]] = msg
                conn.close()
            self._cond.notify_all()

    def wait(self, label: str, timeout: float, pump: Callable[[], None] | None = None) -> dict[str, Any]:
        """The report ``label``; ``pump`` (if given) runs between looks, e.g. to let Playwright
        handle page events while we wait."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            with self._cond:
                if pump is None:
                    self._cond.wait_for(lambda: label in self._reports, max(left, 0))
                if label in self._reports:
                    return self._reports.pop(label)
            if left <= 0:
                raise TimeoutError(f"no report {label!r} from the kernel within {timeout:.0f} s")
            if pump is not None:
                pump()

    def wait_held(self, count: int, timeout: float) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._held) >= count, timeout):
                held = len(self._held)
                raise TimeoutError(f"{held} of {count} kernels reached the barrier in {timeout:.0f} s")

    def release(self) -> float:
        """Let every held kernel go; return the time it was done."""
        with self._cond:
            held, self._held = self._held, []
        released = time.time()
        for conn in held:
            conn.sendall(b"go\n")
            conn.close()
        return released

    def close(self) -> None:
        self._closed = True
        self._server.close()
        with self._cond:
            for conn in self._held:
                conn.close()
