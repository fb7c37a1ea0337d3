"""`await authenticate(...)` and logout(), on the kernel side, driven by page messages: a kernel that
cannot reach the server's token keeper, to which the page relays its access tokens."""

from __future__ import annotations

import asyncio
import importlib.metadata
from collections.abc import Iterator
from typing import Any

import IPython.display
import pytest

import ipython_oidc_client._waiting as waiting_module
from ipython_oidc_client import AuthenticationError, SignIn, Token, authenticate, logout

CONFIG = {"authority": "https://idp.example/realms/x", "client_id": "notebook"}
TOKEN = {"type": "token", "access_token": "access-1", "expires_at": 1_900_000_000, "token_type": "Bearer"}


@pytest.fixture
def signin(monkeypatch: pytest.MonkeyPatch) -> Iterator[SignIn]:
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: None)
    monkeypatch.setattr(waiting_module, "HANDSHAKE_SECONDS", 0.3)
    s = authenticate(CONFIG, timeout=1)
    sent: list[Any] = []
    monkeypatch.setattr(s.widget, "send", sent.append)
    s.sent = sent  # type: ignore[attr-defined]
    yield s
    s.widget.close()


def page_says(s: SignIn, content: dict[str, Any]) -> None:
    s.widget._receive(s.widget, content, [])


SESSION = {"type": "session", "session": "s-1"}  # then the kernel answers via "page": no keeper here


def test_await_returns_the_token_once_the_page_sends_it(signin: SignIn) -> None:
    async def scenario() -> Any:
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, page_says, signin, {"type": "ready"})
        loop.call_later(0.08, page_says, signin, SESSION)
        loop.call_later(0.1, page_says, signin, TOKEN)
        return await signin

    token = asyncio.run(scenario())
    assert {"type": "attached", "via": "page"} in signin.sent  # type: ignore[attr-defined]
    assert token is signin.token and isinstance(token, Token)
    assert token["access_token"] == "access-1"


def test_await_raises_the_sign_in_error_at_once(signin: SignIn) -> None:
    async def scenario() -> Any:
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, page_says, signin, {"type": "ready"})
        loop.call_later(0.1, page_says, signin, {"type": "error", "error": "access_denied", "message": "No."})
        return await signin

    with pytest.raises(AuthenticationError) as info:
        asyncio.run(scenario())
    assert info.value.error == "access_denied"


def test_await_keeps_waiting_through_a_blocked_popup(signin: SignIn) -> None:
    async def scenario() -> Any:
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, page_says, signin, {"type": "ready"})
        blocked = {"type": "error", "error": "popup_blocked", "message": "Click Sign in."}
        loop.call_later(0.1, page_says, signin, blocked)
        loop.call_later(0.45, page_says, signin, SESSION)
        loop.call_later(0.5, page_says, signin, TOKEN)  # after the user clicked Sign in
        return await signin

    assert asyncio.run(scenario())["access_token"] == "access-1"


def test_await_fails_fast_when_the_page_never_answers(signin: SignIn) -> None:
    with pytest.raises(AuthenticationError, match="did not answer within") as info:
        asyncio.run(signin.wait())
    assert info.value.error == "cannot_wait" and "next" in info.value.message


def test_await_fails_at_once_on_ipykernel_6(signin: SignIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "6.31.0")
    with pytest.raises(AuthenticationError, match=r"ipykernel 6\.31\.0.*Drop the `await`") as info:
        asyncio.run(signin.wait())
    assert info.value.error == "cannot_wait"


def test_logout_clears_the_token_here_and_asks_the_page_to_sign_out(signin: SignIn) -> None:
    page_says(signin, SESSION)
    page_says(signin, TOKEN)
    assert signin.token["access_token"] == "access-1"
    logout(signin)
    assert dict(signin.token) == {}
    assert signin.sent[-1] == {"type": "logout"}  # type: ignore[attr-defined]
    assert signin.status == "signed_out"


def test_sign_out_elsewhere_in_the_page_clears_this_kernel_token(signin: SignIn) -> None:
    page_says(signin, SESSION)
    page_says(signin, TOKEN)
    assert signin.token["access_token"] == "access-1"
    page_says(signin, {"type": "logged_out"})
    assert dict(signin.token) == {}


def test_renewed_token_updates_the_same_object_in_place(signin: SignIn) -> None:
    page_says(signin, SESSION)
    page_says(signin, TOKEN)
    held = signin.token
    page_says(signin, {**TOKEN, "access_token": "access-2"})
    assert held is signin.token and held["access_token"] == "access-2"


def test_a_token_arrives_with_its_status_never_before_it() -> None:
    """``await signin`` returns once the token is there (received_at): whoever sees the token must see
    the status the keeper sent with it, not the one before (an e2e test printed "signing_in")."""
    from ipython_oidc_client._signin import SignIn

    seen: list[tuple[str, float | None]] = []

    class Watched(dict):  # type: ignore[type-arg]
        def update(self, *args: Any, **kwargs: Any) -> None:  # how the token is filled (one step)
            super().update(*args, **kwargs)
            if "access_token" in self:
                seen.append((signin.status, signin.received_at))

    signin = SignIn(Watched(), 60)
    signin.status = "signing_in"
    view = {"id": "s1", "status": "signed_in", "renewable": True, "expires_at": 2e9, "error": None}
    token = {"access_token": "at", "expires_at": 2e9, "scope": "openid", "token_type": "Bearer"}
    signin.on_event({"event": "session", "instance": "w1", "session": view, "token": token})
    assert seen == [("signed_in", None)] and signin.received_at is not None
