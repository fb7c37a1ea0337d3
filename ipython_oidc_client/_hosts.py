"""Which hosts are this machine: where plain http is allowed for a provider's endpoints and a
redirect URI, because nothing crosses the network (RFC 8252 §7.3 and §8.3, RFC 9700 §2.6); and which
of a provider's endpoints that rule covers."""

from __future__ import annotations

import ipaddress

#: Every endpoint of a provider's metadata that this client may send a code, a token or the user to:
#: each is held to https, http on loopback only — in a discovery document (``_native/checks/
#: discovery.py``) and in a config's ``metadata``/``metadataSeed`` (``_config.py``, which adds the
#: issuer and ``check_session_iframe``). One list, so that an endpoint added here is checked on both.
ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "userinfo_endpoint",
    "end_session_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
    "device_authorization_endpoint",
)


def is_loopback(host: str) -> bool:
    """An IP literal of the loopback interface (127.0.0.0/8, ::1, bracketed or not) or the name
    ``localhost``. Nothing else: not ``127.evil.example``, not ``localhost.evil.example``, and not
    ``*.localhost`` either, which only some resolvers keep on this machine (RFC 6761 §6.3 asks them
    to, not all do)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
