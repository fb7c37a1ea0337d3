"""``token.for_resource`` after a sign-in without a notebook frontend (docs/native.md): the keeper of
the process's own redeems the sign-in's refresh token for the API (RFC 8707) and the API's token is
followed over the same stdin/stdout line as the sign-in's, each event handed to the SignIn of its
instance. Here the keeper engine runs in this process, served over a pair of pipes exactly as
``--stdio`` serves it, and loopback signs in at the fake provider with a browser that is a function."""

from __future__ import annotations

import os
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from fake_idp import FakeIdp
from test_keeper_follow import eventually

import ipython_oidc_client._follow as follow_module
from ipython_oidc_client import AuthenticationError, Token
from ipython_oidc_client._keeper import native as keeper_native
from ipython_oidc_client._keeper.client import Link
from ipython_oidc_client._keeper.keeper import Keeper
from ipython_oidc_client._keeper.server import Line as Writer
from ipython_oidc_client._keeper.server import serve_stream
from ipython_oidc_client._native import loopback, signed_in
from ipython_oidc_client._native.common import discover
from ipython_oidc_client._signin import SignIn

API = "https://api.example/"


class InProcessKeeper:
    """Stands for PrivateKeeper: ``keeper`` served on a pipe pair as ``--stdio`` serves it."""

    def __init__(self, keeper: Keeper, **callbacks: Any) -> None:
        to_keeper_r, to_keeper_w = os.pipe()
        to_kernel_r, to_kernel_w = os.pipe()
        self._to_keeper = os.fdopen(to_keeper_w, "wb")
        to_kernel = os.fdopen(to_kernel_w, "wb")

        def answer(data: bytes) -> None:
            to_kernel.write(data)
            to_kernel.flush()

        def serve() -> None:
            with os.fdopen(to_keeper_r, "rb") as requests, to_kernel:
                serve_stream(keeper, requests, Writer(answer), native=True)

        threading.Thread(target=serve, daemon=True).start()

        def ask(data: bytes) -> None:
            self._to_keeper.write(data)
            self._to_keeper.flush()

        self.link = Link(os.fdopen(to_kernel_r, "rb"), ask, self.stop, **callbacks)

    def alive(self) -> bool:
        return not self.link.gone.is_set()

    def stop(self) -> None:
        if not self._to_keeper.closed:
            self._to_keeper.close()  # end of file: the keeper's side ends, and with it the line


@pytest.fixture
def native_keeper(keeper: Keeper, idp: FakeIdp, monkeypatch: pytest.MonkeyPatch) -> Keeper:
    def browser(url: str) -> bool:
        """The person signs in at the provider, which sends the browser back to the loopback listener."""
        code, params = idp.authorize(url)
        back = f"{params['redirect_uri']}?{urlencode({'code': code, 'state': params['state']})}"
        threading.Thread(target=lambda: urllib.request.urlopen(back, timeout=10).read(), daemon=True).start()
        return True

    def run_flow(cfg: Any, flow: str, http: Any, say: Any, timeout: float) -> Any:
        metadata = discover(cfg, http, loopback.NEEDS)
        return loopback.run(cfg, metadata, http, say, timeout, open_browser=browser)

    monkeypatch.setattr(keeper_native, "run_flow", run_flow)
    monkeypatch.setattr(
        follow_module, "PrivateKeeper", lambda **callbacks: InProcessKeeper(keeper, **callbacks)
    )
    return keeper


@pytest.fixture
def token(native_keeper: Keeper, idp: FakeIdp) -> Iterator[Token]:
    signin = signed_in(idp.config(), None, flow="loopback", timeout=30)
    assert isinstance(signin.token, Token) and signin.renewing()
    yield signin.token
    signin.close()


def grants(idp: FakeIdp) -> list[tuple[str | None, str | None]]:
    return [(f.get("grant_type"), f.get("resource")) for path, f, _ in idp.posts if path == "/token"]


def test_a_native_sign_in_gives_a_token_for_an_api_over_its_own_keepers_line(
    token: Token, idp: FakeIdp, native_keeper: Keeper
) -> None:
    first = token.access_token
    api = token.for_resource(API)
    assert api.access_token and api.access_token != first
    assert grants(idp) == [("authorization_code", None), ("refresh_token", API)]
    assert token.for_resource(API) is api  # the same one while it lives: no second grant
    assert len(grants(idp)) == 2


def test_each_event_on_the_shared_line_reaches_the_token_of_its_instance(
    token: Token, native_keeper: Keeper
) -> None:
    token.for_resource(API)
    signin, child = token._filler, token._filler._resources[API]
    before, heard, api_heard = token.access_token, signin.received_at, child.received_at
    # (The fake provider's API tokens are JWTs made to the second: when one arrived says more.)
    native_keeper.renew(child.session_id)  # the API's token renewed at the keeper: only it hears
    eventually(lambda: child.received_at != api_heard)
    assert signin.received_at == heard and token.access_token == before
    api_heard = child.received_at
    native_keeper.renew(signin.session_id)  # the sign-in's: only it changes
    eventually(lambda: token.get("access_token") != before)
    assert child.received_at == api_heard and child.error is None and signin.error is None


def test_signing_out_ends_the_apis_token_too_and_the_keeper(token: Token, native_keeper: Keeper) -> None:
    api = token.for_resource(API)
    signin = token._filler
    signin.logout()
    assert "access_token" not in token and "access_token" not in api
    assert signin.status == "signed_out" and not signin.renewing()
    with pytest.raises(AuthenticationError) as info:
        token.for_resource(API)
    assert info.value.error == "not_signed_in"


def test_in_a_notebook_without_the_extension_the_kernels_own_keeper_fills_the_widgets_token(
    native_keeper: Keeper, idp: FakeIdp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The widget's SignIn follows a session its own keeper names (not the widget's instance).
    signin = SignIn.with_widget(idp.config(), Token(), 60, 60, "popup")
    assert signin.widget is not None
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(signin.widget, "send", sent.append)
    signin.widget._receive(
        signin.widget, {"type": "error", "error": "no_server_extension", "message": "-"}, []
    )
    eventually(lambda: signin.status == "signed_in")
    assert isinstance(signin.token, Token) and signin.token.access_token and signin.error is None
    assert sent[-1]["type"] == "device" and sent[-1]["state"] == "signed_in"
    assert signin.token.for_resource(API).access_token
    signin.logout()
    assert not signin.renewing() and "access_token" not in signin.token
    signin.widget.close()
