"""The kernel side without a browser: the token dict, and SignIn driven by page messages. A kernel
that cannot reach the server's token keeper (none in its environment here) says ``via: "page"`` when
the page binds it to a session, and then takes the access tokens the page relays."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import IPython.display
import pytest

from ipython_oidc_client import AuthenticationError, ConfigError, SignIn, Token, authenticate
from ipython_oidc_client._token import TOKEN_FIELDS, parse_token_message

ACCESS = "eyJhbGciOiJSUzI1NiJ9.access-payload.access-signature"
REFRESH = "refresh-5ecret-never-in-the-kernel"
ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.id-payload.id-signature"
CONFIG = {"authority": "https://idp.example/realms/x", "client_id": "notebook"}
TOKEN_MESSAGE = {
    "type": "token",
    "access_token": ACCESS,
    "expires_at": 1_900_000_000,
    "scope": "openid profile",
    "token_type": "Bearer",
}


@pytest.fixture
def displayed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    shown: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: shown.extend(objs))
    return shown


@pytest.fixture
def token() -> dict[str, Any]:
    return {}


@pytest.fixture
def signin(displayed: list[Any], token: dict[str, Any]) -> Iterator[SignIn]:
    signin = authenticate(CONFIG, token)
    assert displayed == [signin.widget]
    yield signin
    signin.widget.close()


def receive(signin: SignIn, content: dict[str, Any]) -> None:
    signin.widget._receive(signin.widget, content, [])


def relayed(signin: SignIn) -> None:
    """The page bound the widget to a session; this kernel cannot reach the keeper, so the page relays."""
    receive(signin, {"type": "session", "session": "s-1"})
    assert signin.via == "page"


@pytest.mark.parametrize("text", [repr, str])
def test_token_repr_and_str_mask_the_access_token(text: Any) -> None:
    shown = text(Token(access_token=ACCESS, token_type="Bearer"))
    assert ACCESS not in shown and "access-signature" not in shown
    assert "Bearer" in shown
    assert "abcdefgh" not in text(Token(access_token="abcdefgh"))


def test_parse_token_message_keeps_exactly_the_four_fields() -> None:
    sent = {**TOKEN_MESSAGE, "refresh_token": REFRESH, "id_token": ID_TOKEN, "code": "c", "other": 1}
    assert parse_token_message(sent) == {k: TOKEN_MESSAGE[k] for k in TOKEN_FIELDS}


@pytest.mark.parametrize(
    "content",
    [
        {"type": "token"},
        {"type": "token", "access_token": ""},
        {"type": "token", "access_token": 42},
        {"type": "token", "access_token": ACCESS, "expires_at": "soon"},
        {"type": "token", "access_token": ACCESS, "expires_at": True},
    ],
)
def test_parse_token_message_rejects_missing_token_or_non_numeric_expiry(content: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        parse_token_message(content)


def test_two_ready_messages_start_the_sign_in_once(signin: SignIn, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Any] = []
    monkeypatch.setattr(signin.widget, "send", sent.append)
    receive(signin, {"type": "ready"})
    receive(signin, {"type": "ready"})
    assert sent[0] == {"type": "start"}
    assert [m["type"] for m in sent] == ["start", "rejoin"]


def test_a_view_drawn_after_a_reload_is_asked_to_rejoin_its_session(
    signin: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The session lives at the keeper, where the page finds it by the widget's instance: the kernel
    # tells a later view nothing but to rejoin, before and after a token alike.
    sent: list[Any] = []
    monkeypatch.setattr(signin.widget, "send", sent.append)
    receive(signin, {"type": "ready"})
    receive(signin, {"type": "ready"})
    relayed(signin)
    receive(signin, TOKEN_MESSAGE)
    receive(signin, {"type": "ready"})  # the page was reloaded after sign-in
    assert sent == [
        {"type": "start"},
        {"type": "rejoin"},
        {"type": "attached", "via": "page"},
        {"type": "rejoin"},
    ]
    assert ACCESS not in repr(sent)


def test_an_expired_token_is_removed_and_await_says_why(signin: SignIn, token: dict[str, Any]) -> None:
    relayed(signin)
    receive(signin, TOKEN_MESSAGE)
    assert token["access_token"] == ACCESS
    receive(signin, {"type": "expired"})
    assert "access_token" not in token and signin.received_at is None
    assert token["expires_at"] <= time.time()  # the kernel's clock may lag the page's: now at the latest
    assert signin.error is not None and signin.error.error == "token_expired"


def test_expiry_said_by_the_page_makes_the_token_expired_here_and_keeps_the_renewal_error(
    displayed: list[Any],
) -> None:
    # A loop `while not token.expired` must end even when the page says so before this clock does,
    # and the reason the user reads is the failed renewal, not a bare expiry.
    token = Token()
    signin = authenticate(CONFIG, token)
    relayed(signin)
    receive(signin, {**TOKEN_MESSAGE, "expires_at": time.time() + 30})
    assert not token.expired
    failed = {"type": "error", "error": "renewal_failed", "message": "could not be renewed (invalid_grant)"}
    receive(signin, failed)
    receive(signin, {"type": "expired"})
    assert token.expired
    with pytest.raises(AuthenticationError) as info:
        _ = token.access_token
    assert info.value.error == "token_expired" and "could not be renewed" in str(info.value)
    assert signin.error is not None and signin.error.error == "renewal_failed"
    signin.widget.close()


def test_token_message_fills_the_users_dict_in_place(signin: SignIn, token: dict[str, Any]) -> None:
    relayed(signin)
    before = time.time()
    receive(signin, TOKEN_MESSAGE)
    assert signin.token is token and type(token) is dict
    assert token == {k: TOKEN_MESSAGE[k] for k in TOKEN_FIELDS}
    assert signin.received_at is not None and before <= signin.received_at <= time.time()


def test_error_message_sets_error_and_a_later_token_clears_it(signin: SignIn) -> None:
    receive(signin, {"type": "error", "error": "access_denied", "message": "The user said no."})
    assert isinstance(signin.error, AuthenticationError)
    assert (signin.error.error, signin.error.message) == ("access_denied", "The user said no.")
    relayed(signin)
    receive(signin, TOKEN_MESSAGE)
    assert signin.error is None


@pytest.mark.parametrize("via", [None, "keeper"])
def test_a_token_from_the_page_is_taken_only_when_the_kernel_relays(
    signin: SignIn, token: dict[str, Any], via: str | None
) -> None:
    # Before the page bound the widget to a session, or when this kernel follows the keeper itself,
    # a `token` message is not the kernel's source: it is dropped.
    signin.via = via
    receive(signin, TOKEN_MESSAGE)
    assert token == {} and signin.received_at is None


def test_status_message_updates_status_and_message(signin: SignIn) -> None:
    receive(signin, {"type": "status", "status": "needs_click", "message": "Click to sign in."})
    assert (signin.status, signin.message) == ("needs_click", "Click to sign in.")


def test_refresh_and_id_tokens_sent_by_the_page_are_not_kept(signin: SignIn, token: dict[str, Any]) -> None:
    relayed(signin)
    receive(signin, {**TOKEN_MESSAGE, "refresh_token": REFRESH, "id_token": ID_TOKEN})
    assert set(token) == set(TOKEN_FIELDS)
    kept = repr(vars(signin)) + repr(token) + repr(signin.widget.get_state())
    assert ACCESS in repr(token.values())
    assert REFRESH not in kept and ID_TOKEN not in kept


def test_malformed_token_message_is_dropped_and_logged_without_its_content(
    signin: SignIn, token: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    relayed(signin)
    receive(signin, {"type": "token", "access_token": ACCESS, "expires_at": "soon", "id_token": ID_TOKEN})
    assert token == {} and signin.received_at is None
    assert "could not handle a 'token' message" in caplog.text
    assert ACCESS not in caplog.text and ID_TOKEN not in caplog.text


def test_signin_repr_shows_no_token(signin: SignIn) -> None:
    relayed(signin)
    receive(signin, TOKEN_MESSAGE)
    assert signin.token["access_token"] == ACCESS
    assert ACCESS not in repr(signin) and "access-signature" not in repr(signin)


@pytest.mark.parametrize("bad", ["token", ["access_token"], 42])
def test_token_that_is_not_a_dict_raises_type_error(displayed: list[Any], bad: Any) -> None:
    with pytest.raises(TypeError, match="token must be a dict"):
        authenticate(CONFIG, bad)
    assert displayed == []


@pytest.mark.parametrize(
    ("config", "kwargs"),
    [({**CONFIG, "client_secret": "s"}, {}), ({"client_id": "notebook"}, {}), (CONFIG, {"timeout": 0})],
)
def test_bad_config_raises_before_anything_is_displayed(
    displayed: list[Any], config: dict[str, Any], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ConfigError):
        authenticate(config, {}, **kwargs)
    assert displayed == []
