"""Requests per second of the callback page against jupyter_server's own static file handler, on
loopback, from the same Python client (asyncio, keep-alive connections), same concurrency, each
round bounded in count and time; rounds alternate so that load on the machine hits both alike."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.e2e._stack import Lab

from ._report import Row, median, ratio, spread

CONCURRENCY = 8
PAGE = "oidc/redirect.html"
BASELINE = "static/ipython_oidc_client/callback.js"  # served by jupyter_server's FileFindHandler


@dataclass
class Round:
    done: int = 0
    failed: int = 0
    started: int = 0


async def _connection(host: str, port: int, request: bytes, limit: int, until: float, r: Round) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while r.started < limit and time.perf_counter() < until:
            r.started += 1
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)}
            if "content-length" not in headers:
                raise RuntimeError(f"no Content-Length in the answer to {request.splitlines()[0]!r}")
            await reader.readexactly(int(headers["content-length"]))
            if lines[0].split()[1] == "200":
                r.done += 1
            else:
                r.failed += 1
    finally:
        writer.close()


async def _round(url: str, token: str, limit: int, seconds: float) -> float:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    # The same login header on both: the static handler ignores it, the page needs it.
    request = (
        f"GET {parts.path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: token {token}\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode()
    r = Round()
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(*(_connection(host, port, request, limit, until, r) for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - start
    if r.failed or not r.done:
        raise RuntimeError(f"{url}: {r.failed} of {r.done + r.failed} requests failed")
    return r.done / elapsed


def _measure(url: str, token: str, limit: int, seconds: float) -> float:
    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _round(url, token, limit, seconds)).result()


def rows(lab: Lab, quick: bool) -> list[Row]:
    rounds, limit, seconds = (2, 600, 3.0) if quick else (5, 3000, 10.0)
    page_rps: list[float] = []
    static_rps: list[float] = []
    _measure(lab.url + PAGE, lab.token, 50, 5.0)  # warm-up: caches, first-request costs
    for _ in range(rounds):
        page_rps.append(_measure(lab.url + PAGE, lab.token, limit, seconds))
        static_rps.append(_measure(lab.url + BASELINE, lab.token, limit, seconds))
    per_round = [p / s for p, s in zip(page_rps, static_rps)]
    r = median(page_rps) / median(static_rps)

    def rps(v: float) -> str:
        return f"{v:.0f}/s"

    return [
        Row(
            "callback page vs static file, requests/s",
            f"{spread(page_rps, rps)} vs {spread(static_rps, rps)}: {ratio(r)} "
            f"(per round {spread(per_round, ratio)})",
            "≥ 0.90×",
            r >= 0.9,
            f"GET {{base_url}}{PAGE} (logged in by token header) against GET {{base_url}}{BASELINE} "
            f"(jupyter_server's static handler), {CONCURRENCY} keep-alive connections from one asyncio "
            f"client in this process, {rounds} alternating rounds of at most {limit} requests or "
            f"{seconds:.0f} s; server at its default log level. Client and server share the cores.",
        )
    ]
