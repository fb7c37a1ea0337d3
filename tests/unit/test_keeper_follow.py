"""A kernel's side of the keeper (ipython_oidc_client/_follow.py, SignIn's line to it): with the server's
keeper named in the environment, a SignIn follows its widget's instance there from authenticate() on,
and the follower thread fills the Token without any widget message; when the keeper dies, the sign-in
says ``unknown_session`` and the token expires at its own time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import IPython.display
import pytest
from fake_idp import REDIRECT, FakeIdp
from keeper_proc import Running

from ipython_oidc_client import AuthenticationError, SignIn, Token, authenticate


@pytest.fixture
def sent() -> list[Any]:
    """What the kernel sends its widget."""
    return []


@pytest.fixture
def signin(
    running: Running, idp: FakeIdp, sent: list[Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[SignIn]:
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: None)
    s = authenticate(idp.config(), Token())
    assert isinstance(s, SignIn)  # in a kernel, with a frontend
    monkeypatch.setattr(s.widget, "send", sent.append)
    yield s
    s.close()
    s.widget.close()


def page_signs_in(running: Running, idp: FakeIdp, instance: str) -> dict[str, Any]:
    """What the page and the server do: begin for the widget's instance, the provider, redeem."""
    conn = running.connect()
    try:
        started = conn.ask("begin", config=idp.config(), redirect_uri=REDIRECT, instance=instance)
        code, _ = idp.authorize(started["url"])
        answer = {"code": code, "state": started["state"]}
        view: dict[str, Any] = conn.ask("redeem", 2, state=started["state"], response=answer)["session"]
        return view
    finally:
        conn.close()


def eventually(condition: Callable[[], object], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.02)  # polling a condition with a deadline


def test_the_follower_fills_the_token_without_any_widget_message(
    running: Running, idp: FakeIdp, signin: SignIn, sent: list[Any]
) -> None:
    assert signin.via == "keeper"  # it follows from authenticate() on: the keeper already runs
    view = page_signs_in(running, idp, signin.widget.instance)
    token = signin.token
    eventually(lambda: "access_token" in token)
    assert isinstance(token, Token) and token.access_token.startswith("at-")
    assert set(token) == {"access_token", "expires_at", "scope", "token_type"}
    assert token.expires_at == view["expires_at"]
    assert sent == []  # no widget message either way
    assert signin.error is None and signin.received_at is not None
    eventually(lambda: signin.status == "signed_in")


def test_a_renewal_at_the_keeper_reaches_the_same_token_object(
    running: Running, idp: FakeIdp, signin: SignIn
) -> None:
    view = page_signs_in(running, idp, signin.widget.instance)
    token = signin.token
    eventually(lambda: "access_token" in token)
    first = token["access_token"]
    assert running.renew(view["id"])["ok"]
    eventually(lambda: token.get("access_token") not in (None, first))
    assert signin.token is token


def test_when_the_keeper_dies_the_sign_in_says_so_and_the_token_expires_at_its_time(
    running: Running, idp: FakeIdp, signin: SignIn
) -> None:
    idp.expires_in, idp.refresh = 3, False
    page_signs_in(running, idp, signin.widget.instance)
    token = signin.token
    assert isinstance(token, Token)
    eventually(lambda: "access_token" in token)
    expires_at = token.expires_at
    assert expires_at is not None
    running.proc.kill()  # by its pid
    running.proc.wait(timeout=5)
    eventually(lambda: signin.error is not None)
    assert signin.error is not None and signin.error.error == "unknown_session"
    if time.time() < expires_at - 0.5:
        assert not token.expired and token.access_token  # still good until its time
    # The clock says expired at expires_at; the follower's timer takes the token out then too.
    eventually(lambda: "access_token" not in token, seconds=expires_at - time.time() + 5)
    assert time.time() >= expires_at - 0.05 and token.expired
    with pytest.raises(AuthenticationError) as info:
        _ = token.access_token
    assert info.value.error == "token_expired" and "keeper stopped" in info.value.message


def test_running_authenticate_again_with_the_same_token_ends_the_last_follower(
    running: Running, idp: FakeIdp, signin: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cell run again (perhaps with another config): only the new sign-in fills the token."""
    first = signin._line
    assert first is not None and not first.gone
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: None)
    again = authenticate(idp.config(scope="openid email"), signin.token)
    assert isinstance(again, SignIn)
    try:
        assert signin._line is None and first.gone, "the last sign-in's follower still fills the token"
        assert again._line is not None and not again._line.gone and again.via == "keeper"
    finally:
        again.close()
        again.widget.close()
