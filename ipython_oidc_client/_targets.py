"""The APIs a sign-in gives tokens for (``token.for_resource``, docs/resources.md): the config's
``resources``, ``{name: target}``. A target is the API's URI, for which the keeper redeems the sign-in's
refresh token with RFC 8707's ``resource``; or an object, which may ask for a token exchange instead
(RFC 8693): the sign-in's access token is exchanged for one for that API, with no refresh token
needed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ._errors import ConfigError
from ._text import quoted

#: The keys of a target given as an object, and what each is.
FIELDS = {
    "resource": "the API's URI (RFC 8707 §2)",
    "audience": "the API's name at the provider (RFC 8693 §2.1), with exchange only",
    "scope": "the scope the API's token is asked with",
    "exchange": "true: a token exchange (RFC 8693) instead of a refresh grant",
}


@dataclass(frozen=True)
class Target:
    """One API: ``key`` is what its Token is kept and shown by (the URI, else the audience)."""

    key: str
    resource: str | None = None
    audience: str | None = None
    scope: str | None = None
    exchange: bool = False
    #: The name in the config's ``resources``; None when asked for by URI.
    name: str | None = None

    @property
    def where(self) -> str:
        """The target as a message names it: the config entry, else the URI."""
        return f"resources[{quoted(self.name)}]" if self.name is not None else self.key


#: What a resource must be, said once for every message that needs it.
URI_RULE = "an absolute URI without a fragment (RFC 8707 §2)"


def _bad(message: str) -> ConfigError:
    return ConfigError("resources", message)


def is_resource_uri(value: Any) -> bool:
    """RFC 8707 §2: an absolute URI without a fragment (bounded, as everything a config holds)."""
    if not isinstance(value, str) or len(value) > 2048:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme) and not parts.fragment


def target(name: str | None, value: Any) -> Target:
    """The checked target of ``resources[name]`` (or of a URI asked for directly: ``name`` None)."""
    where = f"resources[{quoted(name)}]" if name is not None else "the resource"
    if isinstance(value, str):
        if not is_resource_uri(value):
            raise _bad(f"{where} must be {URI_RULE}, got {quoted(value)}.")
        return Target(key=value, resource=value, name=name)
    if not isinstance(value, Mapping):
        kind = type(value).__name__
        raise _bad(f"{where} must be a URI string or an object with {', '.join(FIELDS)}, got {kind}.")
    unknown = sorted(str(k) for k in value if k not in FIELDS)
    if unknown:
        keys = "; ".join(f"{k}: {what}" for k, what in FIELDS.items())
        raise _bad(f"{where} has unknown keys {', '.join(unknown)}. Known: {keys}.")
    exchange = value.get("exchange", False)
    if not isinstance(exchange, bool):
        raise _bad(f"{where}['exchange'] must be true or false, got {quoted(exchange)}.")
    resource, audience, scope = value.get("resource"), value.get("audience"), value.get("scope")
    if resource is not None and not is_resource_uri(resource):
        raise _bad(f"{where}['resource'] must be {URI_RULE}, got {quoted(resource)}.")
    for key, text in (("audience", audience), ("scope", scope)):
        if text is not None and not (isinstance(text, str) and 0 < len(text) <= 1024 and text.isprintable()):
            raise _bad(f"{where}[{quoted(key)}] must be a non-empty string, got {quoted(text)}.")
    if audience is not None and not exchange:
        raise _bad(
            f"{where} has an 'audience', which only a token exchange sends (RFC 8693 §2.1): add "
            "\"exchange\": true, or give the API's URI as 'resource' instead.",
        )
    if resource is None and audience is None:
        raise _bad(f"{where} needs a 'resource' (the API's URI) or, with exchange, an 'audience'.")
    key = str(resource if resource is not None else audience)
    return Target(key=key, resource=resource, audience=audience, scope=scope, exchange=exchange, name=name)


def check_resources(value: Any) -> dict[str, Target]:
    """The config's ``resources``, each name and target checked."""
    if not isinstance(value, Mapping):
        raise _bad(f"'resources' must be a dict of {{name: target}}, got {type(value).__name__}.")
    checked = {}
    for name, entry in value.items():
        if not isinstance(name, str) or not name or len(name) > 64 or not name.isprintable():
            raise _bad(f"resources: a name must be 1–64 printable characters, got {quoted(name)}.")
        checked[name] = target(name, entry)
    return checked


def signed_in_for(value: Any) -> tuple[str, ...]:
    """The URIs the sign-in itself must ask for (RFC 8707 §2.1): a refresh grant gives a token for a
    resource only within those the authorization covered. A token exchange needs none of them."""
    return tuple(t.resource for t in check_resources(value or {}).values() if t.resource and not t.exchange)
