"""Providers an administrator configured on the server (``OidcExtension.providers``), named from a
notebook. The kernel only checks the name and what the notebook adds; the provider's settings reach
the page alone, from the server extension (docs/admins.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._config import _check_keys, _check_values, _not_a_mapping, check_config
from ._errors import ConfigError
from ._settings import SETTINGS
from ._text import quoted

#: What a notebook may set on top of an administrator's provider. These shape one sign-in request
#: (what to ask for, how to prompt) and are the user's to choose anyway; the rest decides who the
#: client is, which provider it talks to and where codes go, which is the administrator's word.
OVERRIDABLE = frozenset(
    {
        "scope",
        "prompt",
        "max_age",
        "ui_locales",
        "acr_values",
        "display",
        "resource",
        "extraQueryParams",
        "loadUserInfo",
        "popupWindowFeatures",
        "requestTimeoutInSeconds",
    }
)

# Safe in a URL, a log line and a JSON key; long enough for "corp-entra-prod".
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(
            "provider",
            f"A provider name must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or "
            f"digit; got {quoted(name)}.",
        )
    return name


def check_overrides(name: str | None, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return the checked settings a notebook adds to the administrator's provider ``name``."""
    for key in overrides:
        if key in SETTINGS and key not in OVERRIDABLE:
            who = f"provider {quoted(name)}" if name else "the configured provider"
            raise ConfigError(
                key,
                f"{quoted(key)} cannot be set on top of the administrator's {who}: it decides who the "
                "client is, which provider it talks to or where codes go. A notebook may set: "
                + ", ".join(sorted(OVERRIDABLE))
                + ". To use other settings, pass a full config without 'provider'.",
            )
    _check_keys(overrides)
    checked = dict(overrides)
    _check_values(checked)
    return checked


def check_request(config: object) -> dict[str, Any]:
    """What the widget is given: a full checked config, or ``{"provider": name, **overrides}``
    (name ``None``: the only provider the server has)."""
    if config is None:
        return {"provider": None}
    if isinstance(config, str):
        return {"provider": check_name(config)}
    if not isinstance(config, Mapping):
        raise _not_a_mapping(config)
    if "provider" not in config:
        return check_config(config)
    name = config["provider"]
    if name is not None:
        check_name(name)
    overrides = {k: v for k, v in config.items() if k != "provider"}
    return {"provider": name, **check_overrides(name, overrides)}
