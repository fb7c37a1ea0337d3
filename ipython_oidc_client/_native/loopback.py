"""Code + PKCE through the system browser and a one-shot listener on the loopback interface
(RFC 8252 §7.3, §8.3): ``http://127.0.0.1:<ephemeral port>/``, closed after one answer or the
timeout. The answer is checked by ``checks.check_loopback_answer``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import secrets
import time
import webbrowser
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from .._errors import AuthenticationError
from ._http import Http
from .checks import check_loopback_answer, token_error
from .common import Say, Validated, accept_tokens, token_request
from .config import NativeConfig

NEEDS = ("authorization_endpoint", "token_endpoint", "jwks_uri")

_PAGE = "<!doctype html><meta charset=utf-8><title>Sign-in</title><p style='font-family:sans-serif'>{}</p>"


def pkce_pair() -> tuple[str, str]:
    """RFC 7636 §4.1-4.2: a 64-character verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Listener(http.server.HTTPServer):
    """Takes the one redirect to ``/`` that carries this sign-in's ``state``; anything else is refused
    and the listener waits on. Any local process, or a web page sweeping 127.0.0.1's ports, can reach
    this port: without the state check, its request would end the sign-in, free the port, and let it
    bind the port the provider sends the browser to next (RFC 8252 §8.3, RFC 6749 §10.12)."""

    def __init__(self, state: str) -> None:
        # RFC 8252 §8.3: the loopback IP literal, not "localhost"; port 0: any free port (§7.3).
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state
        self.query: dict[str, list[str]] | None = None
        #: Requests refused (no state, a wrong one, another path): counted, never logged.
        self.refused = 0

    def belongs(self, query: dict[str, list[str]]) -> bool:
        given = query.get("state") or []
        return len(given) == 1 and hmac.compare_digest(given[0].encode(), self.state.encode())

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def wait(self, deadline: float, clock: Callable[[], float] = time.monotonic) -> dict[str, list[str]]:
        """Serve until one answer arrives or ``deadline``; the socket is closed either way."""
        try:
            while self.query is None:
                left = deadline - clock()
                if left <= 0:
                    raise AuthenticationError(
                        "timeout",
                        "Sign-in did not come back from the browser in time. If the browser showed the "
                        "provider's error page, check client_id and that the client allows the redirect "
                        "URI http://127.0.0.1/ (any port). Run authenticate() again.",
                    )
                self.timeout = min(left, 0.5)
                self.handle_request()
            return self.query
        finally:
            self.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Listener
    #: A browser's speculative connection that sends nothing must not hold the one-shot listener.
    timeout = 5.0

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        if parts.path != "/" or self.server.query is not None or not self.server.belongs(query):
            self.server.refused += 1
            self._page(400, "This is not the answer of the sign-in in progress; it was ignored.")
            return
        self.server.query = query
        self._page(200, "Sign-in received. You can close this tab and return to Python.")

    def _page(self, status: int, text: str) -> None:
        body = _PAGE.format(text).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None  # the request line carries the code: never log it


def authorization_url(endpoint: str, params: dict[str, str], resources: tuple[str, ...]) -> str:
    parts = urlsplit(endpoint)
    query = [(k, v) for k, vs in parse_qs(parts.query).items() for v in vs]
    query += list(params.items()) + [("resource", r) for r in resources]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def run(
    cfg: NativeConfig,
    metadata: dict[str, Any],
    http: Http,
    say: Say,
    timeout: float,
    open_browser: Callable[[str], bool] = webbrowser.open,
) -> Validated:
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    listener = Listener(state)
    try:
        params = {
            **cfg.auth_params,
            "response_type": "code",
            "client_id": cfg.client_id,
            "redirect_uri": listener.redirect_uri,
            "scope": cfg.scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        url = authorization_url(metadata["authorization_endpoint"], params, cfg.resources)
        say(f"Opening the browser to sign in at {metadata['issuer']}. If it does not open, visit:\n{url}")
        try:
            open_browser(url)
        except Exception:  # noqa: S110 - the link is printed; the user can open it by hand
            pass
        query = listener.wait(time.monotonic() + timeout)
    finally:
        listener.server_close()
    promised = metadata.get("authorization_response_iss_parameter_supported") is True
    code = check_loopback_answer(query, state, metadata["issuer"], promised)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": listener.redirect_uri,
        "client_id": cfg.client_id,
        "code_verifier": verifier,
        **cfg.token_params,
    }
    status, body = token_request(http, metadata, data, "token request")
    if status != 200:
        raise token_error(status, body, "token request")
    return accept_tokens(body, cfg, metadata, http, nonce=nonce)
