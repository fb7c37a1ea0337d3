"""Redirect mode's return path: only a path on this server under its base URL is kept or followed.
Every refused input is tried against the POST that keeps it and against the redirect back."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from jupyter_server.utils import url_path_join
from tornado.httpclient import HTTPClientError, HTTPResponse
from tornado.web import create_signed_value

from ipython_oidc_client.server.redirect_mode import COOKIE
from ipython_oidc_client.server.return_path import ReturnPathError, check_return_path

Fetch = Callable[..., Awaitable[HTTPResponse]]
BASE = "/user/alice/"

REFUSED: list[Any] = [
    "https://evil.example/",
    "http://evil.example/user/alice/",
    "https:/evil.example/user/alice/",
    "//evil.example/",
    "//evil.example/user/alice/",
    "///evil.example/user/alice/",
    "/\\evil.example/",
    "\\\\evil.example/user/alice/",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "/user/alice/%2F%2Fevil.example",
    "%2F%2Fevil.example/user/alice/",
    "/user/alice/%252F%252Fevil.example",
    "/user/alice/%25252F%25252Fevil.example",
    "/user/alice/%5Cevil.example",
    "/user/alice/%5C%5Cevil.example",
    "/user/alice/%2F/evil.example",
    "/user/alice/\r\nSet-Cookie: planted=1",
    "/user/alice/%0d%0aLocation:%20https://evil.example",
    "/user/alice/%250d%250aLocation:%20https://evil.example",
    "/user/alice/lab\n",
    "/user/alice/\x00",
    "/user/alice/%00",
    "/user/alice/\tlab",
    "/user/bob/lab",
    "/user/alice",
    "/user/alice@evil.example/",
    "/user/alice/../bob/lab",
    "/user/alice/%2e%2e/bob/lab",
    "/user/alice/%252e%252e/bob/lab",
    "/user/alice/./lab",
    "/user/alice/" + "a" * 3000,
    "",
    "user/alice/lab",
    "/user/alice/lab?next=https://evil.example",
    "/user/alice/lab#https://evil.example",
    " /user/alice/lab",
    "/user/alice/lab ",
    "/user/alice/lab/%zz",
    "/user/alice/%C0%AF",
    "/user/alice/\u2215evil.example",
    "\uff0f\uff0fevil.example/user/alice/",
]
NOT_A_STRING: list[Any] = [None, 42, ["/user/alice/lab"], {"path": "/user/alice/lab"}]
ACCEPTED = [
    "/user/alice/lab/tree/sign-in.ipynb",
    "/user/alice/lab/tree/dir/sub/x.ipynb",
    "/user/alice/notebooks/a%20b.ipynb",
    "/user/alice/tree",
    "/user/alice/",
]


def our_cookie(response: HTTPResponse) -> str:
    """Our Set-Cookie header among the server's ("" when there is none)."""
    return next((c for c in response.headers.get_list("Set-Cookie") if c.startswith(f"{COOKIE}=")), "")


@pytest.fixture
def jp_base_url() -> str:  # the demanding case: a JupyterHub-style base URL
    return BASE


# Every rule of check_return_path, as its refusal message words it ("the return path …" or "the
# decoded return path …"). Only "percent-encoded too many times" is left out: the decoding rounds
# meet a refused form first.
RULES = [
    "must be a non-empty string",
    "is longer than",
    "must be a plain path",
    "malformed percent-escape",
    "decodes to invalid UTF-8",
    "contains control characters",
    "contains a backslash",
    "contains '//'",
    "contains '.' or '..' segments",
    "is not under the server's base URL",
]


def test_at_least_forty_hostile_inputs_are_covered() -> None:
    """At least forty different hostile inputs are refused, and between them they meet every rule."""
    reasons: dict[str, str] = {}
    for path in REFUSED + NOT_A_STRING:
        with pytest.raises(ReturnPathError) as info:
            check_return_path(path, BASE)
        reasons[repr(path)] = str(info.value)
    assert len(reasons) >= 40, "fewer than forty different inputs"
    unmet = [rule for rule in RULES if not any(rule in reason for reason in reasons.values())]
    assert not unmet, f"no hostile input meets these rules: {unmet}"


@pytest.mark.parametrize("path", REFUSED + NOT_A_STRING)
def test_refused_by_the_check(path: Any) -> None:
    with pytest.raises(ReturnPathError):
        check_return_path(path, BASE)


@pytest.mark.parametrize("path", ACCEPTED)
def test_a_path_under_the_base_url_is_accepted(path: str) -> None:
    assert check_return_path(path, BASE) == path


def test_under_base_url_slash_any_local_path_is_accepted_but_not_another_host() -> None:
    assert check_return_path("/lab/tree/x.ipynb", "/") == "/lab/tree/x.ipynb"
    for path in ["//evil.example/", "/%2F/evil.example", "https://evil.example/"]:
        with pytest.raises(ReturnPathError):
            check_return_path(path, "/")


@pytest.mark.parametrize("path", REFUSED + NOT_A_STRING)
async def test_the_post_refuses_with_400_and_sets_no_cookie(jp_fetch: Fetch, path: Any) -> None:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("oidc", "return-path", method="POST", body=json.dumps({"path": path}))
    response = info.value.response
    assert response is not None and response.code == 400
    assert "Return path refused" in json.loads(response.body)["message"]
    assert our_cookie(response) == ""


@pytest.mark.parametrize("path", ACCEPTED)
async def test_the_post_keeps_the_path_in_a_scoped_flagged_cookie(jp_fetch: Fetch, path: str) -> None:
    response = await jp_fetch("oidc", "return-path", method="POST", body=json.dumps({"path": path}))
    assert response.code == 204
    cookie = our_cookie(response)
    assert cookie
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")[1:]}
    assert attributes["path"] == f"Path={BASE}"
    assert "httponly" in attributes and attributes["samesite"] == "SameSite=Lax"
    assert int(attributes["max-age"].split("=")[1]) <= 600
    assert "secure" not in attributes  # plain http here; see the https test


async def test_the_cookie_is_secure_when_the_browser_is_on_https(jp_fetch: Fetch) -> None:
    body = json.dumps({"path": ACCEPTED[0], "https": True})
    response = await jp_fetch("oidc", "return-path", method="POST", body=body)
    assert "secure" in our_cookie(response).lower().split("; ")


async def _go_back(
    http_server_client: Any, jp_serverapp: Any, auth: dict[str, str], value: str
) -> HTTPResponse:
    secret = jp_serverapp.web_app.settings["cookie_secret"]
    signed = create_signed_value(secret, COOKIE, value).decode()
    return await http_server_client.fetch(  # type: ignore[no-any-return]
        url_path_join(BASE, "oidc/return"),
        headers={**auth, "Cookie": f"{COOKIE}={signed}"},
        follow_redirects=False,
        raise_error=False,
    )


@pytest.mark.parametrize("path", [p for p in REFUSED if isinstance(p, str)])
async def test_the_redirect_back_refuses_a_planted_path_and_goes_to_the_base_url(
    http_server_client: Any, jp_serverapp: Any, jp_auth_header: dict[str, str], path: str
) -> None:
    response = await _go_back(http_server_client, jp_serverapp, jp_auth_header, path)
    assert response.code == 302
    assert response.headers["Location"] == BASE
    assert "expires=" in our_cookie(response).lower()  # cleared


@pytest.mark.parametrize("path", ACCEPTED)
async def test_the_redirect_back_goes_to_the_kept_path_and_clears_the_cookie(
    http_server_client: Any, jp_serverapp: Any, jp_auth_header: dict[str, str], path: str
) -> None:
    response = await _go_back(http_server_client, jp_serverapp, jp_auth_header, path)
    assert response.code == 302 and response.headers["Location"] == path
    assert "expires=" in our_cookie(response).lower()  # cleared


async def test_an_unsigned_cookie_planted_by_a_script_is_ignored(
    http_server_client: Any, jp_auth_header: dict[str, str]
) -> None:
    response = await http_server_client.fetch(
        url_path_join(BASE, "oidc/return"),
        headers={**jp_auth_header, "Cookie": f"{COOKIE}=/user/alice/lab/tree/x.ipynb"},
        follow_redirects=False,
        raise_error=False,
    )
    assert response.code == 302 and response.headers["Location"] == BASE


async def test_behind_a_tls_proxy_the_cookie_and_its_clearing_are_secure(
    jp_fetch: Fetch, http_server_client: Any, jp_serverapp: Any, jp_auth_header: dict[str, str]
) -> None:
    forwarded = {"X-Forwarded-Proto": "https"}  # without ServerApp.trust_xheaders
    body = json.dumps({"path": ACCEPTED[0]})
    kept = await jp_fetch("oidc", "return-path", method="POST", body=body, headers=forwarded)
    assert "secure" in our_cookie(kept).lower().split("; ")
    secret = jp_serverapp.web_app.settings["cookie_secret"]
    signed = create_signed_value(secret, COOKIE, ACCEPTED[0]).decode()
    back = await http_server_client.fetch(
        url_path_join(BASE, "oidc/return"),
        headers={**jp_auth_header, **forwarded, "Cookie": f"{COOKIE}={signed}"},
        follow_redirects=False,
        raise_error=False,
    )
    assert "secure" in our_cookie(back).lower().split("; ")
