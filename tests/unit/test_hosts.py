"""One table of what counts as this machine (``_hosts.is_loopback``), read through every place that
allows plain http because of it: a config's URLs and a discovery document's endpoints."""

from __future__ import annotations

import pytest

from ipython_oidc_client._config import check_config
from ipython_oidc_client._errors import AuthenticationError, ConfigError
from ipython_oidc_client._hosts import is_loopback
from ipython_oidc_client._native.checks import check_discovery

CASES = [
    ("127.0.0.1", True),
    ("127.8.9.10", True),  # all of 127.0.0.0/8
    ("::1", True),
    ("[::1]", True),
    ("localhost", True),
    ("LOCALHOST", True),
    ("127.evil.example", False),  # a name that starts like the address
    ("127.0.0.1.nip.io", False),
    ("localhost.evil.example", False),
    ("evil.localhost", False),  # RFC 6761 asks resolvers to keep it here; not all do
    ("128.0.0.1", False),
    ("0.0.0.0", False),
    ("::ffff:127.0.0.1", False),  # an IPv4-mapped address is no loopback literal in Python's view
    ("", False),
]


def _http_url(host: str) -> str:
    """A plain-http URL on ``host`` (an IPv6 literal in brackets, RFC 3986 §3.2.2)."""
    return f"http://{host if ':' not in host or host.startswith('[') else f'[{host}]'}:8080"


@pytest.mark.parametrize(("host", "loopback"), CASES)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(("host", "loopback"), [c for c in CASES if c[0]])
def test_plain_http_is_allowed_exactly_on_loopback_in_a_config(host: str, loopback: bool) -> None:
    url = _http_url(host)
    config = {"authority": "https://idp.example", "client_id": "c", "redirect_uri": f"{url}/cb"}
    if loopback:
        assert check_config(config)["redirect_uri"] == f"{url}/cb"
    else:
        with pytest.raises(ConfigError, match="plain http on a non-loopback host"):
            check_config(config)


@pytest.mark.parametrize(("host", "loopback"), [c for c in CASES if c[0]])
def test_plain_http_is_allowed_exactly_on_loopback_in_discovery(host: str, loopback: bool) -> None:
    url = _http_url(host)
    doc = {
        "issuer": "https://idp.example",
        "token_endpoint": f"{url}/token",
        "jwks_uri": "https://idp.example/k",
    }
    if loopback:
        assert check_discovery(doc, "https://idp.example", "given")["token_endpoint"] == f"{url}/token"
    else:
        with pytest.raises(AuthenticationError, match="not https"):
            check_discovery(doc, "https://idp.example", "given")
