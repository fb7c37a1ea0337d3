"""Where the redirect URI comes from: the config key, an admin's pin, or JupyterHub's default."""

from __future__ import annotations

from typing import Any

import IPython.display
import pytest

from ipython_oidc_client import authenticate

CONFIG = {"authority": "https://idp.example/realms/x", "client_id": "notebook"}
HUB_URI = "https://hub.example/hub/user-redirect/oidc/redirect.html"


@pytest.fixture(autouse=True)
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: None)
    for var in ("IPYTHON_OIDC_CLIENT_REDIRECT_URI", "JUPYTERHUB_BASE_URL", "JUPYTERHUB_SERVICE_PREFIX"):
        monkeypatch.delenv(var, raising=False)


def _widget(config: dict[str, Any]) -> Any:
    return authenticate(config).widget


def test_outside_jupyterhub_the_page_uses_its_own_callback_page() -> None:
    widget = _widget(CONFIG)
    assert widget.redirect_path == "" and "redirect_uri" not in widget.config


def test_on_jupyterhub_the_default_is_the_hubs_user_redirect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    assert _widget(CONFIG).redirect_path == "/hub/user-redirect/oidc/redirect.html"
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/jupyter/")
    assert _widget(CONFIG).redirect_path == "/jupyter/hub/user-redirect/oidc/redirect.html"


def test_an_admin_pin_reaches_the_page_beside_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    # The page ranks it (js/signin/registry.ts chooseRedirectUri): the config's own redirect_uri, then the
    # server's OidcExtension.redirect_uri, then this pin.
    monkeypatch.setenv("IPYTHON_OIDC_CLIENT_REDIRECT_URI", HUB_URI)
    widget = _widget(CONFIG)
    assert widget.pinned_redirect_uri == HUB_URI and "redirect_uri" not in widget.config
    own = "https://lab.example/oidc/redirect.html"
    assert _widget({**CONFIG, "redirect_uri": own}).config["redirect_uri"] == own
    assert authenticate("corp").widget.pinned_redirect_uri == HUB_URI


def test_without_a_pin_the_page_gets_none() -> None:
    assert _widget(CONFIG).pinned_redirect_uri == ""


def test_a_pinned_plain_http_uri_is_refused_like_a_configured_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPYTHON_OIDC_CLIENT_REDIRECT_URI", "http://hub.example/hub/user-redirect/x")
    with pytest.raises(ValueError, match=r"IPYTHON_OIDC_CLIENT_REDIRECT_URI.*plain http"):
        _widget(CONFIG)
