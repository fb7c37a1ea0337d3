"""The config of a sign-in without a notebook frontend: the same oidc-client-ts names that
``authenticate()`` takes (checked by ``_config.check_config``), of which these flows use some."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._config import check_config
from .._errors import ConfigError
from .._targets import signed_in_for

#: Settings that shape only the widget or the page's redirect; a native flow has no use for them
#: and ignores them, so that one config serves both (docs/native.md).
IGNORED = frozenset(
    {
        "redirect_uri",
        "popup_redirect_uri",
        "post_logout_redirect_uri",
        "response_mode",
        "display",
        "loadUserInfo",
        "filterProtocolClaims",
        "staleStateAgeInSeconds",
        "popupWindowFeatures",
    }
)
#: What the authorization request (loopback) and the device authorization request carry on.
AUTH_PARAMS = ("prompt", "ui_locales", "acr_values", "max_age")

FLOWS = ("auto", "device", "loopback")


@dataclass(frozen=True)
class NativeConfig:
    authority: str
    client_id: str
    scope: str
    request_timeout: float = 10.0
    metadata_url: str | None = None
    metadata: dict[str, Any] | None = None
    metadata_seed: dict[str, Any] = field(default_factory=dict)
    auth_params: dict[str, str] = field(default_factory=dict)
    resources: tuple[str, ...] = ()
    token_params: dict[str, str] = field(default_factory=dict)
    max_age: int | None = None
    # What only a sign-in through the notebook's browser uses (the keeper builds its request).
    prompt: str | None = None
    acr_values: tuple[str, ...] = ()
    display: str | None = None
    response_mode: str = "fragment"
    load_userinfo: bool = False
    stale_state_age: float = 600.0
    #: A confidential client's credentials (``_keeper.clients.ClientAuth``): set by the keeper for an
    #: administrator's provider only, never from a config.
    client_auth: Any = field(default=None, repr=False, compare=False)

    @property
    def discovery_url(self) -> str:
        return self.metadata_url or self.authority.rstrip("/") + "/.well-known/openid-configuration"


def native_config(config: Any) -> NativeConfig:
    """Check ``config`` as ``authenticate()`` does and keep what the keeper's flows use (the device
    grant and loopback, and the sign-in the notebook's browser drives)."""
    if config is None or isinstance(config, str) or (isinstance(config, Mapping) and "provider" in config):
        raise ConfigError(
            "provider",
            "A provider named by the administrator is known only to a Jupyter server, and there is none "
            "here. Pass a full config: {'authority': …, 'client_id': …, 'scope': 'openid …'}.",
        )
    checked = check_config(config)
    params = {k: str(checked[k]) for k in AUTH_PARAMS if k in checked}
    params.update({k: _text(v) for k, v in checked.get("extraQueryParams", {}).items()})
    resource = checked.get("resource")
    resources = tuple(resource) if isinstance(resource, list) else ((resource,) if resource else ())
    # The named APIs are asked for at sign-in too: a provider grants a token for a resource later
    # (token.for_resource) only within those the authorization covered (RFC 8707 §2.2).
    resources += tuple(u for u in signed_in_for(checked.get("resources")) if u not in resources)
    return NativeConfig(
        authority=checked["authority"],
        client_id=checked["client_id"],
        scope=checked["scope"],
        request_timeout=float(checked.get("requestTimeoutInSeconds", 10)),
        metadata_url=checked.get("metadataUrl"),
        metadata=checked.get("metadata"),
        metadata_seed=dict(checked.get("metadataSeed", {})),
        auth_params=params,
        resources=tuple(str(r) for r in resources),
        token_params={k: _text(v) for k, v in checked.get("extraTokenParams", {}).items()},
        max_age=checked.get("max_age"),
        prompt=checked.get("prompt"),
        acr_values=tuple(str(checked.get("acr_values", "")).split()),
        display=checked.get("display"),
        response_mode=checked.get("response_mode", "fragment"),
        load_userinfo=bool(checked.get("loadUserInfo", False)),
        stale_state_age=float(checked.get("staleStateAgeInSeconds", 600)),
    )


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def check_flow(flow: Any) -> str:
    if flow not in FLOWS:
        raise ConfigError(None, f"flow must be 'auto', 'device' or 'loopback', got {flow!r}.")
    return str(flow)
