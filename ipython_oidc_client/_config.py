"""What ``authenticate()`` accepts: oidc-client-ts ``OidcClientSettings`` names, checked before
anything is displayed, with errors that name the key and the fix."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ._errors import ConfigError
from ._hosts import is_loopback
from ._settings import ALIASES, METADATA_URLS, PROTECTED_PARAMS, PROTECTED_TOKEN_PARAMS, REFUSED, SETTINGS
from ._targets import check_resources
from ._text import quoted


def _suggest(key: str) -> str:
    squashed = key.lower().replace("-", "_")
    if squashed.replace("_", "") in ALIASES:
        return ALIASES[squashed.replace("_", "")]
    if squashed in ALIASES:
        return ALIASES[squashed]
    names = list(SETTINGS)
    by_lower = {n.lower().replace("_", ""): n for n in names}
    if squashed.replace("_", "") in by_lower:
        return by_lower[squashed.replace("_", "")]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    return close[0] if close else ""


def _check_url(key: str, value: str) -> None:
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:  # "https://[" and the like: urllib's complaint, said as ours
        raise ConfigError(key, f"{quoted(key)} is not a URL, got {quoted(value)}.") from None
    if parts.scheme not in ("https", "http") or not host:
        raise ConfigError(key, f"{quoted(key)} must be an absolute https URL, got {quoted(value)}.")
    if parts.scheme == "http" and not is_loopback(host):
        raise ConfigError(
            key,
            f"{quoted(key)} uses plain http on a non-loopback host ({quoted(value)}): codes and tokens would "
            "cross the network unencrypted. Use https (http is accepted for localhost/127.0.0.1 only).",
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigError(key, f"{quoted(key)} must not contain a user name or password.")
    if parts.fragment:
        raise ConfigError(key, f"{quoted(key)} must not contain a fragment ('#…') (RFC 6749 §3.1.2).")


def _check_types(key: str, value: Any) -> None:
    allowed = SETTINGS[key]
    # bool is an int in Python; a bool where a number is wanted is a mistake.
    wrong_bool = isinstance(value, bool) and bool not in allowed
    if wrong_bool or not isinstance(value, allowed):
        names = " or ".join(t.__name__ for t in allowed)
        raise ConfigError(
            key, f"{quoted(key)} must be a {names}, got {type(value).__name__} {quoted(value)}."
        )


def _check_query_params(key: str, params: dict[Any, Any], protected: set[str]) -> None:
    for name, value in params.items():
        if not isinstance(name, str):
            raise ConfigError(key, f"{quoted(key)} keys must be strings, got {quoted(name)}.")
        if name in protected:
            raise ConfigError(
                key,
                f"{quoted(key)} must not set {quoted(name)}: the sign-in request sets it itself. "
                + (
                    f"Use the top-level {quoted(name)} key instead."
                    if name in SETTINGS
                    else f"Remove {quoted(name)}."
                ),
            )
        if not isinstance(value, (str, int, float, bool)):
            raise ConfigError(
                key, f"{key}[{quoted(name)}] must be a string, number or bool, got {quoted(value)}."
            )


def _check_keys(config: Mapping[Any, Any]) -> None:
    for key in config:
        if key in REFUSED:
            raise ConfigError(
                key, f"Config key {quoted(key)} is not accepted: " + REFUSED[key].format(key=key)
            )
        if key not in SETTINGS:
            hint = _suggest(str(key))
            raise ConfigError(
                str(key),
                f"Unknown config key {quoted(key)}."
                + (f" Did you mean {quoted(hint)}?" if hint else "")
                + " Accepted keys: "
                + ", ".join(sorted(SETTINGS))
                + ".",
            )
        _check_types(key, config[key])


def _check_values(checked: dict[str, Any]) -> None:
    """The checks that hold for any subset of the settings (a full config or overrides)."""
    scope = checked.get("scope")
    if scope is not None and "openid" not in scope.split():
        raise ConfigError(
            "scope",
            f"scope {quoted(scope)} lacks 'openid': the server's token keeper validates the ID token "
            "(who signed in, and that the answer is this sign-in's) before any token reaches the kernel. "
            "Add 'openid' to the scope.",
        )
    popup_uri = checked.pop("popup_redirect_uri", None)
    if popup_uri is not None:
        if checked.setdefault("redirect_uri", popup_uri) != popup_uri:
            raise ConfigError(
                "popup_redirect_uri",
                "'redirect_uri' and 'popup_redirect_uri' differ; give only 'redirect_uri'.",
            )
    for key in ("redirect_uri", "post_logout_redirect_uri", "metadataUrl"):
        if key in checked:
            _check_url(key, checked[key])
    if checked.get("response_mode", "query") not in ("query", "fragment"):
        raise ConfigError("response_mode", "'response_mode' must be 'query' or 'fragment'.")
    if "extraQueryParams" in checked:
        _check_query_params("extraQueryParams", checked["extraQueryParams"], PROTECTED_PARAMS)
    if "extraTokenParams" in checked:
        _check_query_params("extraTokenParams", checked["extraTokenParams"], PROTECTED_TOKEN_PARAMS)
    for key in ("metadata", "metadataSeed"):
        for field in METADATA_URLS:
            value = checked.get(key, {}).get(field)
            if value is not None:
                if not isinstance(value, str):
                    raise ConfigError(
                        key, f"{key}[{quoted(field)}] must be a URL string, got {quoted(value)}."
                    )
                _check_url(f"{key}[{quoted(field)}]", value)
    if "resources" in checked:
        check_resources(checked["resources"])
    if checked.get("max_age", 0) < 0:
        raise ConfigError("max_age", "'max_age' must be 0 or more seconds.")
    if checked.get("requestTimeoutInSeconds", 1) <= 0:
        raise ConfigError("requestTimeoutInSeconds", "'requestTimeoutInSeconds' must be more than 0.")


def _not_a_mapping(config: object) -> ConfigError:
    return ConfigError(
        None,
        "config must be a dict of oidc-client-ts settings, e.g. {'authority': "
        "'https://idp.example/realms/x', 'client_id': 'notebook', 'scope': 'openid profile'}, "
        f"or the name of a provider your administrator configured; got {type(config).__name__}.",
    )


def check_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return a checked copy of ``config``, or raise ConfigError naming the key and the fix."""
    if not isinstance(config, Mapping):
        raise _not_a_mapping(config)
    _check_keys(config)
    checked = dict(config)
    for key in ("authority", "client_id"):
        if not checked.get(key, "").strip():
            raise ConfigError(key, f"{quoted(key)} is missing: add the provider's {key} to the config.")
    _check_url("authority", checked["authority"])

    response_type = checked.pop("response_type", "code")
    if response_type != "code":
        raise ConfigError(
            "response_type",
            f"response_type {quoted(response_type)} is refused: only the authorization code flow with "
            "PKCE is supported; the implicit flow puts tokens in the URL and is deprecated "
            "(RFC 9700 §2.1.2). Remove 'response_type' (the default is 'code').",
        )
    checked.setdefault("scope", "openid")
    _check_values(checked)
    return checked


def check_renew_before(renew_before: Any) -> float:
    """How many seconds before expiry the access token is renewed."""
    if (
        isinstance(renew_before, bool)
        or not isinstance(renew_before, (int, float))
        or not math.isfinite(renew_before)
        or renew_before < 0
    ):
        raise ConfigError(None, f"renew_before must be a number of seconds ≥ 0, got {quoted(renew_before)}.")
    return float(renew_before)


def check_timeout(timeout: Any) -> float:
    """The whole sign-in's time limit, in seconds."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 3600:
        raise ConfigError(None, f"timeout must be a number of seconds in (0, 3600], got {quoted(timeout)}.")
    return float(timeout)
