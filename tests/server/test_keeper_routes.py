"""The routes a page drives the keeper through (ipython_oidc_client/server/sessions.py, resolve.py),
against a real jupyter_server, its real keeper process and a provider on 127.0.0.1: each needs a Jupyter
login, the POSTs keep the XSRF check, an administrator's provider decides endpoints, client and redirect
URI whatever the notebook sends, a malformed request gets 400 with {error, message} (never a 500), and
no answer holds a code, a verifier, a nonce, a refresh or an ID token."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fake_idp import FakeIdp, leaked
from jupyter_server.utils import url_path_join
from test_xsrf import browser_cookies
from tornado.httpclient import HTTPResponse

Fetch = Callable[..., Awaitable[HTTPResponse]]
PINNED = "http://127.0.0.1:9999/oidc/redirect.html"
POSTS = [
    "oidc/signin",
    "oidc/redeem",
    "oidc/watch",
    "oidc/sessions/s1/renew",
    "oidc/sessions/s1/logout",
    "oidc/sessions/s1/token",
]
GETS = ["oidc/sessions/s1", "oidc/instances/w1"]


@pytest.fixture
def idp() -> Iterator[FakeIdp]:
    with FakeIdp() as provider:
        yield provider


@pytest.fixture
def jp_server_config(idp: FakeIdp) -> dict[str, Any]:
    providers = {"corp": idp.config(), "pinned": idp.config(redirect_uri=PINNED)}
    return {
        "ServerApp": {"jpserver_extensions": {"ipython_oidc_client": True}},
        "OidcExtension": {"providers": providers},
    }


def page_redirect(base: str) -> str:
    return f"http://127.0.0.1:8888{base}oidc/redirect.html"


async def call(jp_fetch: Fetch, path: str, body: Any = None, method: str = "POST") -> tuple[int, Any]:
    """The route's status and JSON answer; every answer is uncached."""
    sent = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    response = await jp_fetch(path, method=method, body=sent if method == "POST" else None, raise_error=False)
    assert response.code < 500, (path, response.code)
    assert response.headers["Cache-Control"] == "no-store"
    answer = json.loads(response.body)
    if response.code >= 400:
        assert set(answer) == {"error", "message"} and answer["message"], answer
    return response.code, answer


async def begin(jp_fetch: Fetch, base: str, request: Any, instance: str = "w1") -> tuple[int, Any]:
    return await call(
        jp_fetch,
        "oidc/signin",
        {"request": request, "redirect_uri": page_redirect(base), "instance": instance},
    )


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.mark.parametrize(("method", "path"), [("POST", p) for p in POSTS] + [("GET", p) for p in GETS])
async def test_every_route_needs_a_jupyter_login(
    http_server_client: Any, jp_base_url: str, method: str, path: str
) -> None:
    response = await http_server_client.fetch(
        url_path_join(jp_base_url, path),
        method=method,
        body=b"{}" if method == "POST" else None,
        follow_redirects=False,
        raise_error=False,
    )
    assert response.code == 403


@pytest.mark.parametrize("path", POSTS)
async def test_a_cookie_authenticated_post_needs_the_xsrf_token(
    http_server_client: Any, jp_base_url: str, jp_serverapp: Any, path: str
) -> None:
    cookies = await browser_cookies(http_server_client, jp_base_url, jp_serverapp)
    sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    for headers, refused in (({}, True), ({"X-XSRFToken": cookies["_xsrf"]}, False)):
        response = await http_server_client.fetch(
            url_path_join(jp_base_url, path),
            method="POST",
            body=json.dumps({"sessions": {"s1": 0}, "state": "x"}),
            headers={**sent, **headers},
            follow_redirects=False,
            raise_error=False,
        )
        assert (response.code == 403 and b"_xsrf" in response.body) == refused, (path, response.code)


@pytest.mark.parametrize("request_", ["corp", {"provider": "corp"}])
async def test_a_named_provider_is_resolved_from_the_registry(
    jp_fetch: Fetch, jp_base_url: str, idp: FakeIdp, request_: Any
) -> None:
    code, answer = await begin(jp_fetch, jp_base_url, request_)
    assert code == 200 and set(answer) == {"url", "state"}
    assert answer["url"].startswith(f"{idp.issuer}/authorize?")
    asked = query(answer["url"])
    assert (asked["client_id"], asked["redirect_uri"]) == ("notebook", page_redirect(jp_base_url))
    assert asked["state"] == answer["state"]


async def test_an_entrys_redirect_uri_wins_over_the_pages(jp_fetch: Fetch, jp_base_url: str) -> None:
    code, answer = await begin(jp_fetch, jp_base_url, {"provider": "pinned"})
    assert code == 200 and query(answer["url"])["redirect_uri"] == PINNED


async def test_a_notebook_adds_what_it_may_to_the_provider(jp_fetch: Fetch, jp_base_url: str) -> None:
    request = {"provider": "corp", "scope": "openid email", "extraQueryParams": {"login_hint": "ada"}}
    code, answer = await begin(jp_fetch, jp_base_url, request)
    assert code == 200
    assert query(answer["url"])["scope"] == "openid email" and query(answer["url"])["login_hint"] == "ada"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("authority", "https://evil.example"),
        ("client_id", "evil-client"),
        ("redirect_uri", "https://evil.example/cb"),
        ("metadata", {"token_endpoint": "https://evil.example/token"}),
        ("metadataSeed", {"token_endpoint": "https://evil.example/token"}),
        ("metadataUrl", "https://evil.example/.well-known/openid-configuration"),
        ("extraTokenParams", {"audience": "evil"}),
        ("token_endpoint", "https://evil.example/token"),
        ("extraQueryParams", {"redirect_uri": "https://evil.example/cb"}),
    ],
)
async def test_a_notebook_may_not_override_the_providers_client_endpoints_or_redirect(
    jp_fetch: Fetch, jp_base_url: str, idp: FakeIdp, key: str, value: Any
) -> None:
    code, answer = await begin(jp_fetch, jp_base_url, {"provider": "corp", key: value})
    assert (code, answer["error"]) == (400, "config")
    assert "evil" not in json.dumps(idp.calls)


@pytest.mark.parametrize(
    ("request_", "error"),
    [(None, "unknown_provider"), ("nope", "unknown_provider"), (5, "config"), ({"client_id": "x"}, "config")],
)
async def test_an_unresolvable_request_is_refused(
    jp_fetch: Fetch, jp_base_url: str, request_: Any, error: str
) -> None:
    code, answer = await begin(jp_fetch, jp_base_url, request_)
    assert (code, answer["error"]) == (400, error)


@pytest.mark.parametrize("path", ["oidc/signin", "oidc/redeem", "oidc/watch", "oidc/sessions/s1/logout"])
@pytest.mark.parametrize("body", [b"not json", b"[]", b"null", b"5", b'"x"', b"\xff\xfe"])
async def test_a_body_that_is_no_json_object_is_a_400(jp_fetch: Fetch, path: str, body: bytes) -> None:
    code, answer = await call(jp_fetch, path, body)
    assert (code, answer["error"]) == (400, "invalid_request")


@pytest.mark.parametrize(
    ("path", "body", "method", "status", "error"),
    [
        ("oidc/signin", {"request": "corp", "redirect_uri": "javascript:alert(1)"}, "POST", 400, "config"),
        ("oidc/signin", {"request": "corp", "redirect_uri": "https://x.example/", "instance": 5}, "POST", 400,
         "invalid_request"),
        ("oidc/redeem", {"state": 5, "response": "x"}, "POST", 400, "state_mismatch"),
        ("oidc/redeem", {"state": "x" * 5000, "response": {"code": ["c"]}}, "POST", 400, "state_mismatch"),
        ("oidc/watch", {"sessions": "s1"}, "POST", 400, "invalid_request"),
        ("oidc/watch", {"sessions": {str(i): 0 for i in range(65)}}, "POST", 400, "invalid_request"),
        ("oidc/sessions/s1/renew", None, "POST", 404, "unknown_session"),
        ("oidc/sessions/s1/logout", {"post_logout_redirect_uri": 5}, "POST", 404, "unknown_session"),
        ("oidc/sessions/s1/token", None, "POST", 404, "unknown_session"),
        ("oidc/sessions/s1", None, "GET", 404, "unknown_session"),
    ],
)  # fmt: skip
async def test_a_malformed_or_unknown_request_gets_its_code_never_a_500(
    jp_fetch: Fetch, jp_base_url: str, path: str, body: Any, method: str, status: int, error: str
) -> None:
    code, answer = await call(jp_fetch, path, body, method)
    assert (code, answer["error"]) == (status, error)


async def test_a_whole_sign_in_through_the_routes_hands_the_page_no_secret(
    jp_fetch: Fetch, jp_base_url: str, idp: FakeIdp
) -> None:
    answers: list[Any] = []
    code, started = await begin(jp_fetch, jp_base_url, "corp")
    assert code == 200
    provider_code, _ = idp.authorize(started["url"])
    response = {"code": provider_code, "state": started["state"]}
    code, redeemed = await call(jp_fetch, "oidc/redeem", {"state": started["state"], "response": response})
    assert code == 200 and redeemed["session"]["status"] == "signed_in"
    sid = redeemed["session"]["id"]
    answers.append(redeemed)
    code, again = await call(jp_fetch, "oidc/redeem", {"state": started["state"], "response": response})
    assert (code, again["error"]) == (400, "state_mismatch")  # single use, here too
    for path, body, method in [
        (f"oidc/sessions/{sid}", None, "GET"),
        ("oidc/instances/w1", None, "GET"),
        ("oidc/watch", {"sessions": {sid: 0}}, "POST"),
        (f"oidc/sessions/{sid}/renew", None, "POST"),
        (f"oidc/sessions/{sid}/token", None, "POST"),
        (f"oidc/sessions/{sid}/logout", {"post_logout_redirect_uri": page_redirect(jp_base_url)}, "POST"),
        (f"oidc/sessions/{sid}/token", None, "POST"),
    ]:
        answers.append(await call(jp_fetch, path, body, method))
    assert [a[0] for a in answers[1:]] == [200, 200, 200, 200, 200, 200, 409]
    assert answers[2][1]["session"]["id"] == sid and answers[3][1]["sessions"][sid]["id"] == sid
    token = answers[5][1]["token"]
    assert set(token) == {"access_token", "expires_at", "scope", "token_type"}  # for a relaying page
    logged_out = answers[6][1]
    assert logged_out["session"]["status"] == "signed_out" and logged_out["revoke_error"] is None
    assert logged_out["end_session"].startswith(f"{idp.issuer}/logout?")
    assert idp.count("/revoke") == 1
    secrets = idp.secrets()
    assert any(s.startswith("rt-") for s in secrets)
    assert leaked(answers, secrets) == []
