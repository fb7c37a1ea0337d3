"""The Token the user holds: expiry, headers, and auth for requests and httpx, always current."""

from __future__ import annotations

import time

import httpx
import pytest
import requests

from ipython_oidc_client import AuthenticationError, Token

ACCESS = "eyJhbGciOiJSUzI1NiJ9.current-access.sig"


def live(**extra: object) -> Token:
    token = Token(access_token=ACCESS, expires_at=time.time() + 600, scope="openid", token_type="bearer")
    token.update(extra)
    return token


def test_headers_carry_the_current_access_token_as_bearer() -> None:
    assert live().headers == {"Authorization": f"Bearer {ACCESS}"}


def test_requests_auth_sends_the_token_current_at_call_time() -> None:
    token = live()
    token["access_token"] = "renewed-access-token"  # as a renewal does, in place
    prepared = requests.Request("GET", "http://127.0.0.1:9/api", auth=token).prepare()
    assert prepared.headers["Authorization"] == "Bearer renewed-access-token"


def test_httpx_auth_sends_the_current_token() -> None:
    token = live()
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(handler), auth=token) as client:
        client.get("http://127.0.0.1:9/api")
        token["access_token"] = "renewed"
        client.get("http://127.0.0.1:9/api")
    assert seen == [f"Bearer {ACCESS}", "Bearer renewed"]


def test_expired_token_refuses_to_authenticate_saying_when_and_what_to_do() -> None:
    token = live(expires_at=time.time() - 125)
    assert token.expired
    with pytest.raises(AuthenticationError) as info:
        requests.Request("GET", "http://127.0.0.1:9/", auth=token).prepare()
    assert info.value.error == "token_expired"
    assert "expired at" in str(info.value) and "(2 min 5 s ago)" in str(info.value)
    assert "Run authenticate() again" in str(info.value)
    assert ACCESS not in str(info.value)


def test_missing_token_says_to_finish_signing_in() -> None:
    with pytest.raises(AuthenticationError, match=r"no access token yet.*Finish signing in"):
        _ = Token().headers


def test_missing_token_after_a_failed_sign_in_gives_the_reason() -> None:
    token = Token()
    token._reason = lambda: AuthenticationError("access_denied", "The provider refused.")
    with pytest.raises(AuthenticationError, match=r"Sign-in failed: The provider refused\."):
        _ = token.access_token


def test_token_without_expiry_never_counts_as_expired() -> None:
    token = live(expires_at=None)
    assert token.expires_at is None and not token.expired


@pytest.mark.parametrize("render", [repr, str, lambda t: f"{t}", lambda t: str([t])])
def test_every_rendering_masks_the_access_token(render: object) -> None:
    text = render(live())  # type: ignore[operator]
    assert ACCESS not in text and "eyJh…(" in text
