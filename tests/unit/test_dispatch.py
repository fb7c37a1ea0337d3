"""Where authenticate() signs in: with the widget in a notebook, natively (device grant or loopback,
docs/native.md) in a plain python process or when a flow is asked for."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import IPython.display
import pytest

import ipython_oidc_client._native as native
from ipython_oidc_client import ConfigError, SignIn, Token, authenticate
from ipython_oidc_client._follow import Line
from ipython_oidc_client._native.result import NativeSignIn

CONFIG = {"authority": "https://idp.example/realms/x", "client_id": "notebook", "scope": "openid"}
SIGNED_IN = {"id": "s-1", "status": "signed_in", "renewable": True, "expires_at": 2_000_000_000}
TOKEN = {"access_token": "at", "expires_at": 2_000_000_000, "scope": "openid", "token_type": "Bearer"}


@pytest.fixture
def natively(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record native sign-ins instead of starting the helper process; fill the token as it would."""
    calls: list[dict[str, Any]] = []

    def fake(config: Any, token: MutableMapping[str, Any] | None = None, **kw: Any) -> SignIn:
        native.native_config(config)  # the same checks as the real one, before anything starts
        calls.append({"config": config, **kw})
        signin = SignIn(Token() if token is None else token, kw["timeout"], kw["flow"], kw["flow"])
        signin.on_event({"event": "session", "session": SIGNED_IN, "token": TOKEN})  # as its keeper says
        return signin

    monkeypatch.setattr(native, "signed_in", fake)
    return calls


class PrivateKeeper:
    """Stands for the kernel's own keeper (Line.to_private): records what it is asked to do."""

    private, gone = True, False

    def __init__(self, root: SignIn, asked: list[dict[str, Any]]) -> None:
        self.root, self.asked = root, asked

    def ask(self, op: str, args: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.asked.append({"op": op, **args})
        return {}

    def alive(self) -> bool:
        return True

    def close(self) -> None:
        self.gone = True


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    asked: list[dict[str, Any]] = []
    monkeypatch.setattr(Line, "to_private", classmethod(lambda _cls, root: PrivateKeeper(root, asked)))
    return asked


@pytest.fixture
def displayed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    shown: list[Any] = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: shown.extend(objs))
    return shown


@pytest.mark.no_frontend
def test_without_a_frontend_it_signs_in_natively_with_the_longer_default_timeout(
    natively: list[dict[str, Any]], displayed: list[Any]
) -> None:
    signin = authenticate(CONFIG)
    assert isinstance(signin, NativeSignIn) and displayed == []
    assert natively == [{"config": CONFIG, "flow": "auto", "timeout": 300.0, "renew_before": 60.0}]
    assert signin.status == "signed_in" and signin.token["access_token"] == "at"
    signin.logout()
    assert "access_token" not in signin.token and signin.status == "signed_out"


@pytest.mark.no_frontend
def test_without_a_frontend_a_providers_name_is_refused_saying_to_pass_a_full_config(
    natively: list[dict[str, Any]],
) -> None:
    with pytest.raises(ConfigError, match="Pass a full config"):
        authenticate("corp")


def test_in_a_notebook_the_widget_signs_in_unless_a_native_flow_is_asked_for(
    natively: list[dict[str, Any]], displayed: list[Any]
) -> None:
    signin = authenticate(CONFIG, timeout=30)
    assert isinstance(signin, SignIn) and displayed == [signin.widget] and natively == []
    signin.widget.close()
    device = authenticate(CONFIG, flow="device", timeout=30)
    assert isinstance(device, NativeSignIn) and natively[0]["flow"] == "device"
    assert natively[0]["timeout"] == 30


def test_an_unknown_flow_is_a_config_error_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match="'auto', 'device' or 'loopback'"):
        authenticate(CONFIG, flow="popup")


def _page_says(signin: SignIn, content: dict[str, Any]) -> None:
    signin.widget._receive(signin.widget, content, [])


NO_EXTENSION = {"type": "error", "error": "no_server_extension", "message": "No extension here."}


def test_a_page_without_the_server_extension_makes_the_kernel_sign_in_by_device_grant(
    monkeypatch: pytest.MonkeyPatch, displayed: list[Any], started: list[dict[str, Any]]
) -> None:
    sent: list[Any] = []
    signin = authenticate(CONFIG)
    assert isinstance(signin, SignIn)
    monkeypatch.setattr(signin.widget, "send", sent.append)
    _page_says(signin, NO_EXTENSION)
    assert signin.error is None and signin.status == "signing_in"
    assert len(started) == 1 and started[0]["op"] == "native" and started[0]["flow"] == "device"
    assert signin.timeout >= 600
    line = "To sign in, open https://idp.example/device?user_code=AB-CD in a browser (it is on idp.example) …"
    fields = {"link": "https://idp.example/device?user_code=AB-CD", "code": "AB-CD", "host": "idp.example",
              "complete": True, "warning": None}  # fmt: skip
    # What the kernel's keeper says, to the one consumer of its events.
    signin.on_event({"event": "say", "text": "Signing in with the device grant."})
    signin.on_event({"event": "say", "text": line, "verification": fields})
    signin.on_event({"event": "session", "instance": "native:s-1", "session": SIGNED_IN, "token": TOKEN})
    assert signin.status == "signed_in" and signin.received_at is not None
    assert [m["state"] for m in sent] == ["waiting", "waiting", "signed_in"]
    assert all(m["type"] == "device" for m in sent)
    # Only the line with the fields carries them: the widget links nothing else (RFC 8628 §3.3).
    assert "verification" not in sent[0] and sent[1]["verification"] == fields and sent[1]["message"] == line
    _page_says(signin, NO_EXTENSION)  # a second view of the same widget: no second sign-in
    assert len(started) == 1 and signin.error is None and signin.status == "signed_in"
    signin.widget.close()


def test_a_named_provider_without_the_server_extension_stays_an_error(
    displayed: list[Any], started: list[dict[str, Any]]
) -> None:
    signin = authenticate("corp")
    assert isinstance(signin, SignIn)
    _page_says(signin, NO_EXTENSION)
    assert started == [] and signin.error is not None and signin.error.error == "no_server_extension"
    signin.widget.close()


def test_a_widget_that_failed_to_load_is_an_error_and_no_device_grant(
    displayed: list[Any], started: list[dict[str, Any]]
) -> None:
    # The module answered 500 or nothing: the server may well have the extension, so the kernel does
    # not switch to signing in by itself; it keeps the page's error, which says to reload.
    signin = authenticate(CONFIG)
    assert isinstance(signin, SignIn)
    said = "The sign-in widget could not be loaded from … (HTTP 500). Reload the page; …"
    _page_says(signin, {"type": "status", "status": "error", "message": said})
    _page_says(signin, {"type": "error", "error": "widget_load_failed", "message": said})
    assert started == [] and signin.status == "error"
    assert (
        signin.error is not None
        and signin.error.error == "widget_load_failed"
        and signin.error.message == said
    )
    signin.widget.close()
