"""Fetching, kept apart from checking (``checks/``): the only module that talks to the provider, with
the standard library's urllib — no ``requests``, so that the token keeper stays small (docs/keeper.md).
JSON over HTTPS, TLS checked against the system's CA store (``SSL_CERT_FILE`` adds one), proxies from
the environment (``HTTPS_PROXY``, ``NO_PROXY``), no cookies, and no redirect followed."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .._errors import AuthenticationError

#: The most of an answer read: discovery, a JWKS or a token response fits many times over; a provider
#: that sends more is not believed.
MAX_BODY = 1024 * 1024


class Unreachable(Exception):
    """The provider could not be reached (connection refused, timeout, TLS failure)."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx is an answer like any other: a token request is never sent on elsewhere."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def _json(raw: bytes) -> Any:
    if len(raw) > MAX_BODY:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


class Http:
    """JSON over HTTPS to the provider; never sends cookies, never follows a redirect with a token."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        # http and https only: urllib's default opener would also read file:, ftp: and data: URLs.
        self._opener = urllib.request.OpenerDirector()
        for handler in (
            urllib.request.ProxyHandler(),
            urllib.request.HTTPHandler(),
            urllib.request.HTTPSHandler(),
            urllib.request.HTTPDefaultErrorHandler(),
            _NoRedirect(),
            urllib.request.HTTPErrorProcessor(),
        ):
            self._opener.add_handler(handler)

    @staticmethod
    def _request(url: str, **kwargs: Any) -> urllib.request.Request:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise Unreachable("not an http(s) URL")
        return urllib.request.Request(url, **kwargs)  # noqa: S310 - the scheme is checked above

    def _send(self, request: urllib.request.Request) -> tuple[int, Any]:
        request.add_header("Accept", "application/json")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return int(response.status), _json(response.read(MAX_BODY + 1))
        except urllib.error.HTTPError as err:  # an answer: 4xx, 5xx, and 3xx (not followed)
            with err:
                return int(err.code), _json(err.read(MAX_BODY + 1))
        except urllib.error.URLError as err:
            reason = err.reason
            raise Unreachable(
                type(reason).__name__ if isinstance(reason, BaseException) else str(reason)
            ) from None
        except (OSError, ValueError, http.client.HTTPException) as err:
            raise Unreachable(type(err).__name__) from None

    def get_json(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        return self._send(self._request(url, headers=headers or {}, method="GET"))

    def post_form(
        self, url: str, data: dict[str, str], headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """RFC 6749 §4.1.3 / §6, RFC 8628 §3.1 and §3.4: form-encoded POST, JSON answer."""
        body = urllib.parse.urlencode(data).encode()
        headers = {**(headers or {}), "Content-Type": "application/x-www-form-urlencoded"}
        return self._send(self._request(url, data=body, headers=headers, method="POST"))

    def fetch(self, url: str, what: str) -> Any:
        """GET a JSON document the flow cannot do without (discovery, JWKS)."""
        try:
            status, body = self.get_json(url)
        except Unreachable as err:
            raise AuthenticationError(
                "provider_unreachable", f"Could not reach the identity provider: {url} did not load ({err})."
            ) from None
        if status != 200 or body is None:
            raise AuthenticationError(
                "provider_unreachable" if what == "discovery document" else "discovery_invalid",
                f"The provider's {what} {url} answered HTTP {status}"
                + ("" if body is not None else " without JSON")
                + ". Check the authority.",
            )
        return body
