"""What a page asks to sign in with, made into the config the keeper uses, here on the server: the
kernel's checked config, or an administrator's provider (``OidcExtension.providers``) with what the
notebook may add to it. Checked again here whatever the page sent (a cell may set the widget's
config itself): the administrator's entry decides the endpoints, the client and the redirect URI."""

from __future__ import annotations

from typing import Any

from .._config import _check_url, check_config
from .._errors import ConfigError
from .._keeper.wire import KeeperError
from .._providers import check_request


def _pick(providers: dict[str, Any], asked: str | None) -> str:
    names = sorted(providers)
    listed = ", ".join(f'"{n}"' for n in names)
    if asked is None:
        if len(names) == 1:
            return names[0]
        raise KeeperError(
            "unknown_provider",
            "authenticate() was given no config, and this server has no providers configured. Pass a "
            'config, e.g. authenticate({"authority": …, "client_id": …}, token), or ask your '
            "administrator to set OidcExtension.providers."
            if not names
            else f"authenticate() was given no config, but this server has {len(names)} providers: "
            f'{listed}. Name one, e.g. authenticate("{names[0]}", token).',
        )
    if asked not in providers:
        raise KeeperError(
            "unknown_provider",
            f'No provider named "{asked}" is configured on this server. '
            + (f"Configured: {listed}." if names else "None is configured; pass a full config instead."),
        )
    return asked


def resolve(
    request: Any, registry: dict[str, Any], page_redirect_uri: Any
) -> tuple[dict[str, Any], str | None, str]:
    """Return ``(config, label, redirect_uri)`` for the keeper; KeeperError says what is wrong."""
    try:
        checked = check_request(request)
        if "provider" in checked:
            name = _pick(registry.get("providers") or {}, checked.pop("provider"))
            entry = registry["providers"][name]
            config = {**entry, **checked}
            # A notebook's extra parameters (login_hint, …) join the administrator's, never replace them.
            params = {**entry.get("extraQueryParams", {}), **checked.get("extraQueryParams", {})}
            if params:
                config["extraQueryParams"] = params
            config, label = check_config(config), name
        else:
            config, label = checked, None
        # The config's own (a notebook's, or the entry's), then the server's pinned one, then the
        # page's own choice (built from its location: right behind proxies, docs/architecture.md).
        redirect_uri = config.get("redirect_uri") or registry.get("redirect_uri") or page_redirect_uri
        if not isinstance(redirect_uri, str) or not redirect_uri:
            raise ConfigError("redirect_uri", "The page sent no redirect URI. Reload the page and try again.")
        _check_url("redirect_uri", redirect_uri)
    except ConfigError as err:
        raise KeeperError("config", str(err)) from None
    return config, label, redirect_uri
