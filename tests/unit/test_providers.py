"""Naming an administrator's provider from a notebook: the kernel checks the name and what the
notebook adds, and passes only those to the page; the server checks every entry when it starts."""

from __future__ import annotations

from typing import Any

import IPython.display
import pytest

from ipython_oidc_client import ConfigError, authenticate
from ipython_oidc_client._providers import OVERRIDABLE, check_request
from ipython_oidc_client.server.registry import check_providers, check_redirect_uri

CORP = {"authority": "https://idp.example/realms/corp", "client_id": "notebooks", "scope": "openid profile"}


@pytest.fixture(autouse=True)
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: None)


def test_a_name_reaches_the_page_as_the_name_alone() -> None:
    widget = authenticate("corp").widget
    assert widget.config == {"provider": "corp"}


def test_no_config_means_the_only_configured_provider() -> None:
    token: dict[str, Any] = {}
    signin = authenticate(token=token)
    assert signin.widget.config == {"provider": None}
    assert signin.token is token


def test_a_notebook_may_add_request_settings_to_a_named_provider() -> None:
    request = {"provider": "corp", "scope": "openid profile api", "extraQueryParams": {"login_hint": "a"}}
    assert check_request(request) == request
    assert check_request({"provider": "corp", "max_age": 0, "prompt": "login"})["max_age"] == 0


@pytest.mark.parametrize("key", ["authority", "client_id", "redirect_uri", "metadataUrl", "extraTokenParams"])
def test_a_notebook_may_not_change_who_the_client_is_or_where_codes_go(key: str) -> None:
    value: Any = {} if key == "extraTokenParams" else "https://elsewhere.example/x"
    with pytest.raises(
        ConfigError, match=rf"'{key}' cannot be set on top of the administrator's provider 'corp'"
    ) as err:
        check_request({"provider": "corp", key: value})
    assert err.value.key == key
    assert "scope" in str(err.value) and "pass a full config without 'provider'" in str(err.value)


def test_additions_get_the_same_checks_as_a_full_config() -> None:
    with pytest.raises(ConfigError, match="lacks 'openid'"):
        check_request({"provider": "corp", "scope": "api"})
    with pytest.raises(ConfigError, match="Did you mean 'scope'"):
        check_request({"provider": "corp", "scopes": "openid"})
    with pytest.raises(ConfigError, match="cannot keep a secret"):
        check_request({"provider": "corp", "client_secret": "s"})
    with pytest.raises(ConfigError, match="must not set 'state'"):
        check_request({"provider": "corp", "extraQueryParams": {"state": "x"}})


@pytest.mark.parametrize("name", ["", "-x", "a b", "a/b", "x" * 65, "__proto__", 3])
def test_a_provider_name_is_a_plain_word(name: Any) -> None:
    with pytest.raises(ConfigError, match="provider name must be"):
        check_request(name if isinstance(name, str) else {"provider": name})


def test_every_overridable_key_is_a_known_setting() -> None:
    from ipython_oidc_client._settings import SETTINGS

    assert OVERRIDABLE <= set(SETTINGS)
    assert not {"authority", "client_id", "redirect_uri", "metadataUrl", "metadata"} & OVERRIDABLE


def test_the_server_checks_each_entry_like_a_notebook_config() -> None:
    checked = check_providers({"corp": CORP, "lab": {"authority": "http://127.0.0.1:9000", "client_id": "x"}})
    assert checked["corp"] == CORP
    assert checked["lab"]["scope"] == "openid"  # the default, as a notebook would get it


@pytest.mark.parametrize(
    ("providers", "key", "fragment"),
    [
        ({"corp": {"client_id": "x"}}, "authority", "'authority' is missing"),
        ({"corp": {**CORP, "client_secret": "s"}}, "client_secret", "cannot keep a secret"),
        ({"corp": {**CORP, "authority": "http://idp.example"}}, "authority", "plain http"),
        ({"corp": {**CORP, "scop": "openid"}}, "scop", "Did you mean 'scope'"),
        ({"corp": "https://idp.example"}, None, "must be a dict"),
        ({"bad name": CORP}, "provider", "provider name must be"),
    ],
)
def test_a_bad_entry_names_the_provider_and_the_key(
    providers: dict[str, Any], key: str | None, fragment: str
) -> None:
    with pytest.raises(ConfigError) as err:
        check_providers(providers)
    name = next(iter(providers))
    assert str(err.value).startswith(f"OidcExtension.providers[{name!r}]: ")
    assert fragment in str(err.value)
    assert err.value.key == key


def test_the_servers_redirect_uri_is_checked() -> None:
    assert check_redirect_uri("") == ""
    assert check_redirect_uri("https://hub.example/hub/user-redirect/oidc/redirect.html")
    with pytest.raises(ConfigError, match=r"OidcExtension\.redirect_uri: .*plain http"):
        check_redirect_uri("http://hub.example/cb")
