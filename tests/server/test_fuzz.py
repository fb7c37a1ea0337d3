"""The extension's routes under arbitrary paths, methods, bodies, cookies and headers, logged in or
not, against a real jupyter_server: never a 500, never a Location off this server, never our cookie
without its flags, never the return path taken from outside the base URL."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BASE = "/user/fuzz/"
ROUTES = ["oidc/redirect.html", "redirect.html", "oidc/return-path", "oidc/return", "oidc/providers"]
# The token keeper's routes (server/sessions.py): each call reaches the server's keeper process.
KEEPER_ROUTES = [
    "oidc/signin",
    "oidc/redeem",
    "oidc/watch",
    "oidc/sessions/s1",
    "oidc/sessions/s1/renew",
    "oidc/sessions/s1/logout",
    "oidc/sessions/s1/token",
    "oidc/instances/w1",
]
ROUTES += KEEPER_ROUTES
COOKIE = "ipython_oidc_client_return"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    root = tmp_path_factory.mktemp("fuzz")
    port, token = _free_port(), secrets.token_hex(16)
    argv = [
        sys.executable, "-m", "jupyter_server", "--allow-root", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", f"--ServerApp.base_url={BASE}", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
    ]  # fmt: skip
    env = {**os.environ, "HOME": str(root), "JUPYTER_RUNTIME_DIR": str(root / "runtime")}
    with open(root / "server.log", "wb") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}{BASE}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, (root / "server.log").read_text()[
                -3000:
            ]
            try:
                if requests.get(
                    f"{url}api/status", headers={"Authorization": f"token {token}"}, timeout=2
                ).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)  # polling a condition with a deadline
        yield url, token
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    log_text = (root / "server.log").read_text()
    assert "Traceback" not in log_text, log_text[-3000:]


_TOKEN_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=';,="\\')
# Header values as a client can send them: printable, no leading or trailing whitespace.
_VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80).map(str.strip)
_HEADERS = ["X-Forwarded-Proto", "X-XSRFToken", "Content-Type", "Referer", "Origin", "X-Forwarded-Host"]
_PATHS = st.one_of(
    st.text(max_size=120),
    st.sampled_from(
        ["/user/fuzz/lab", "//evil.example", "/\\evil.example", "https://evil.example/", "/user/other/"]
    ),
    st.builds(lambda s: BASE + s, st.text(max_size=80)),
)
_JSON = st.recursive(
    st.none() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
)
_BODIES = st.one_of(
    st.binary(max_size=500),
    st.builds(lambda p, h: json.dumps({"path": p, "https": h}).encode(), _PATHS, st.booleans() | st.none()),
    st.builds(lambda v: json.dumps(v).encode(), _JSON),
)
_COOKIES = st.dictionaries(
    st.text(_TOKEN_CHARS, min_size=1, max_size=30), st.text(_TOKEN_CHARS, max_size=60), max_size=4
)


def _check_cookie(header: str) -> None:
    jar: SimpleCookie = SimpleCookie()
    jar.load(header)
    for name, morsel in jar.items():
        if name != COOKIE:
            continue
        assert morsel["httponly"], header
        assert morsel["samesite"].lower() == "lax", header
        assert morsel["path"] == BASE, header


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(ROUTES),
    suffix=st.text(max_size=40),
    query=st.text(max_size=60),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
    body=_BODIES,
    cookies=_COOKIES,
    headers=st.dictionaries(st.sampled_from(_HEADERS), _VALUES, max_size=4),
    logged_in=st.booleans(),
    signed_return=st.booleans(),
)
def test_no_route_fails_open(
    server: tuple[str, str],
    route: str,
    suffix: str,
    query: str,
    method: str,
    body: bytes,
    cookies: dict[str, str],
    headers: dict[str, str],
    logged_in: bool,
    signed_return: bool,
) -> None:
    url, token = server
    target = f"{url}{route}{quote(suffix, safe='')}?{quote(query, safe='=&')}"
    sent_headers = dict(headers)
    if logged_in:
        sent_headers["Authorization"] = f"token {token}"
    if signed_return:
        # A plausible-looking but forged return cookie: the server must not follow it off-site.
        cookies = {
            **cookies,
            COOKIE: "2|1:0|10:1700000000|26:ipython_oidc_client_return|20:Ly9ldmlsLmV4YW1wbGU=|00",
        }
    response = requests.request(
        method, target, data=body, headers=sent_headers, cookies=cookies, allow_redirects=False, timeout=10
    )
    assert response.status_code < 500, (method, target, response.status_code, response.text[:500])
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        assert not parts.scheme and not parts.netloc and not location.startswith(("//", "/\\")), location
        assert (
            location.startswith(BASE) or location.startswith("/login") or location.startswith("/user/fuzz")
        ), location
    for header in response.raw.headers.getlist("Set-Cookie"):
        _check_cookie(header)


_NUMBERS = st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.booleans() | st.none()
# What the page sends these routes, with every field of any type or missing. A watch of no session at
# all would wait its full 25 s: at least one is named.
_KEEPER_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "request": _JSON | st.sampled_from([{"provider": "corp"}, {"authority": "https://idp.example"}]),
        "redirect_uri": _PATHS | _JSON,
        "instance": st.text(max_size=70) | _JSON,
        "fresh": _JSON | st.booleans(),
        "renew_before": _NUMBERS,
        "state": st.text(max_size=50) | _JSON,
        "response": st.dictionaries(
            st.sampled_from(["code", "state", "iss", "error", "error_description"]), _JSON | st.text()
        )
        | _JSON,
        "sessions": st.dictionaries(st.text(max_size=30), _NUMBERS | _JSON, min_size=1, max_size=4) | _JSON,
        "post_logout_redirect_uri": _PATHS | _JSON,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(KEEPER_ROUTES),
    sid=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=70),
    fields=_KEEPER_FIELDS,
    logged_in=st.booleans(),
)
def test_the_keepers_routes_answer_any_request_without_a_500(
    server: tuple[str, str], route: str, sid: str, fields: dict[str, object], logged_in: bool
) -> None:
    url, token = server
    target = url + route.replace("s1", quote(sid, safe="")).replace("w1", quote(sid, safe=""))
    headers = {"Authorization": f"token {token}"} if logged_in else {}
    method = (
        "GET" if route.startswith(("oidc/instances/", "oidc/sessions/")) and route.count("/") == 2 else "POST"
    )
    response = requests.request(method, target, data=json.dumps(fields), headers=headers, timeout=20)
    assert response.status_code < 500, (method, route, response.status_code, response.text[:500])
    # Where the id fits the route's pattern the answer is ours (else tornado's own 404).
    ours = ("s1" not in route and "w1" not in route) or re.fullmatch(r"[A-Za-z0-9_-]{1,64}", sid)
    if not logged_in:
        assert response.status_code == 403 if ours else response.status_code in (403, 404)
    elif ours and response.status_code >= 400:
        assert set(response.json()) == {"error", "message"}, response.text[:500]
        assert response.headers["Cache-Control"] == "no-store"


def test_the_fuzz_server_writes_no_traceback(server: tuple[str, str], tmp_path: Path) -> None:
    """The module fixture checks the server log after the last case: this test keeps it honest
    when run alone too."""
    url, token = server
    assert requests.get(f"{url}oidc/providers", headers={"Authorization": f"token {token}"}, timeout=10).ok


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=_PATHS,
    https=st.booleans() | st.none(),
    forwarded=st.sampled_from(["", "https", "http", "HTTPS, http"]),
)
def test_the_return_path_trip_keeps_its_flags_and_stays_on_this_server(
    server: tuple[str, str], path: str, https: bool | None, forwarded: str
) -> None:
    url, token = server
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
    if forwarded:
        headers["X-Forwarded-Proto"] = forwarded
    kept = requests.post(
        f"{url}oidc/return-path", json={"path": path, "https": https}, headers=headers, timeout=10
    )
    assert kept.status_code in (204, 400), kept.text
    cookies = [c for c in kept.raw.headers.getlist("Set-Cookie") if c.startswith(f"{COOKIE}=")]
    assert bool(cookies) == (kept.status_code == 204)
    for header in cookies:
        _check_cookie(header)
        secure = https is True or forwarded.lower().startswith("https")
        assert ("secure" in header.lower()) == secure, header
    # Sent back as the browser would (a Secure cookie too: the browser is on https behind a proxy).
    jar: SimpleCookie = SimpleCookie()
    for header in cookies:
        jar.load(header)
    sent = {name: morsel.value for name, morsel in jar.items()}
    back = requests.get(f"{url}oidc/return", headers=headers, cookies=sent, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    location = back.headers["Location"]
    assert location.startswith(BASE) and not urlsplit(location).netloc, location
    if kept.status_code == 204:
        assert location == path
