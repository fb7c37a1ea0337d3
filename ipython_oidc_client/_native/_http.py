"""Fetching, kept apart from checking (``checks.py``): the only module here that talks to the
network, with ``requests`` (imported when a native flow runs, not with the package)."""

from __future__ import annotations

from typing import Any

from .._errors import AuthenticationError


class Unreachable(Exception):
    """The provider could not be reached (connection refused, timeout, TLS failure)."""


class Http:
    """JSON over HTTPS to the provider; never sends cookies, never follows a redirect with a token."""

    def __init__(self, timeout: float) -> None:
        import requests

        self.timeout = timeout
        self._requests = requests
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"

    def _answer(self, response: Any) -> tuple[int, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        return int(response.status_code), body

    def get_json(self, url: str) -> tuple[int, Any]:
        try:
            response = self.session.get(url, timeout=self.timeout, allow_redirects=False)
        except self._requests.RequestException as err:
            raise Unreachable(f"{type(err).__name__}") from None
        return self._answer(response)

    def post_form(self, url: str, data: dict[str, str]) -> tuple[int, Any]:
        """RFC 6749 §4.1.3 / §6, RFC 8628 §3.1 and §3.4: form-encoded POST, JSON answer."""
        try:
            response = self.session.post(url, data=data, timeout=self.timeout, allow_redirects=False)
        except self._requests.RequestException as err:
            raise Unreachable(f"{type(err).__name__}") from None
        return self._answer(response)

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
