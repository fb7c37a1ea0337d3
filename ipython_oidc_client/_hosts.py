"""Which hosts are this machine: where plain http is allowed for a provider's endpoints and a
redirect URI, because nothing crosses the network (RFC 8252 §7.3 and §8.3, RFC 9700 §2.6)."""

from __future__ import annotations

import ipaddress


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
