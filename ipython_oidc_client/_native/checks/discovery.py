"""Discovery (OpenID Connect Discovery 1.0 §4.3, RFC 8414 §3.3): the exact issuer, and every
endpoint over https (http on loopback only). The one implementation: the page checks none of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..._errors import AuthenticationError
from ..._hosts import ENDPOINTS as ENDPOINTS  # the one list of endpoints held to https
from ..._hosts import is_loopback as is_loopback  # device.py takes it from here
from ..._text import shown


def _invalid(message: str) -> AuthenticationError:
    return AuthenticationError("discovery_invalid", message)


def check_discovery(
    metadata: Any, authority: str, url: str, needs: tuple[str, ...] = ("token_endpoint", "jwks_uri")
) -> dict[str, Any]:
    """Check a fetched (or given) discovery document; ``url`` is where it came from, for messages.

    ``needs``: the endpoints the chosen flow uses. Returns the document as a dict.
    """
    if not isinstance(metadata, Mapping):
        raise _invalid(f"The discovery document {url} is not a JSON object.")
    for field in ("issuer", *needs):
        if not isinstance(metadata.get(field), str):
            raise _invalid(
                f'The discovery document {url} has no "{field}". Check that "authority" points at an '
                "OpenID Connect provider"
                + (" that offers the device authorization grant." if "device" in field else ".")
            )
    # OpenID Connect Discovery 1.0 §4.3: the issuer is exactly the authority, character for character.
    if metadata["issuer"] != authority:
        raise _invalid(
            f'The provider calls itself "{shown(metadata["issuer"])}", but "authority" is "{authority}". '
            f'Set "authority" to exactly "{shown(metadata["issuer"])}" if that is the provider you mean.'
        )
    for field in ENDPOINTS:
        value = metadata.get(field)
        if value is None:
            continue
        try:
            parts = urlsplit(str(value))
            scheme, host = parts.scheme, parts.hostname
        except ValueError:  # "https://[": urllib's own complaint, not ours to pass on
            scheme, host = "", None
        if not scheme or not host:
            raise _invalid(
                f'The discovery document {url} gives "{field}" as {shown(repr(value))}, which is not a URL.'
            )
        # RFC 9700 §2.6, RFC 6749 §3.1 and §3.2: codes and tokens travel over TLS, except on this machine.
        if scheme != "https" and not (scheme == "http" and is_loopback(host)):
            raise _invalid(
                f'The discovery document {url} gives "{field}" as {shown(value)}, which is not https: '
                "codes and tokens would cross the network unencrypted. Ask the provider's administrator "
                "to fix it."
            )
    methods = metadata.get("code_challenge_methods_supported")
    if "authorization_endpoint" in needs and isinstance(methods, list) and "S256" not in methods:
        raise _invalid(
            "The provider does not offer PKCE with S256 (RFC 7636 §4.2), which this client requires. "
            "Ask its administrator to enable it."
        )
    return dict(metadata)


def offers_device_flow(metadata: Mapping[str, Any]) -> bool:
    """Whether discovery names a device authorization endpoint (RFC 8628 §4)."""
    return isinstance(metadata.get("device_authorization_endpoint"), str)
