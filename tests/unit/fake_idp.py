"""A tiny OpenID provider on 127.0.0.1 for the keeper's tests (stdlib HTTP server, one thread): discovery,
JWKS (a key made here), the token endpoint (code with PKCE S256 checked, single use; refresh), revocation.
``authorize(url)`` plays the user who signs in: it reads the keeper's authorization URL and returns the
code the provider would redirect with. Everything it hands out is in ``secrets()``, so that a test can
check that none of it reaches a view, an event or a route's answer. Nothing here prints a token."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from ipython_oidc_client._keeper.keeper import Keeper

CLIENT_ID = "notebook"
#: The redirect URI of the sign-ins here (the keeper does not check it; the server's resolve does).
REDIRECT = "http://127.0.0.1:8888/oidc/redirect.html"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # one per test run: it is slow
_JWK = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(_KEY.public_key())), "kid": "k1", "use": "sig"}


class FakeIdp:
    def __init__(self, expires_in: Any = 300, refresh: bool = True) -> None:
        #: What the next token responses say (a test may change them between requests).
        self.expires_in = expires_in
        self.refresh = refresh
        #: More of the discovery document (a test may add to it).
        self.metadata_extra: dict[str, Any] = {}
        #: Refresh tokens are single use (rotated) when True (RFC 9700 §4.14.2).
        self.rotate = False
        #: The access tokens for a refresh with RFC 8707's ``resource``: a JWT whose aud is this (None:
        #: the resource asked for), or an opaque one when False.
        self.resource_audience: str | bool | None = None
        #: Token exchange (RFC 8693): the issued_token_type it answers with (None: leave it out).
        self.exchange_issued = "urn:ietf:params:oauth:token-type:access_token"
        #: Answers the token endpoint gives before any token, in order: (status, body).
        self.token_errors: list[tuple[int, Any]] = []
        #: (method, path) of every request, in order.
        self.calls: list[tuple[str, str]] = []
        #: (path, form, Authorization header) of every POST, in order: how the client authenticated.
        self.posts: list[tuple[str, dict[str, str], str | None]] = []
        self.revoked: set[str] = set()
        self._codes: dict[str, dict[str, str]] = {}
        self._refresh_tokens: set[str] = set()
        self._access_tokens: set[str] = set()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True, name="fake-idp"
        )

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def config(self, **extra: Any) -> dict[str, Any]:
        """A checked-looking config for this provider, as the server hands it to the keeper."""
        return {"authority": self.issuer, "client_id": CLIENT_ID, "scope": "openid profile", **extra}

    def metadata(self) -> dict[str, Any]:
        i = self.issuer
        return {
            "issuer": i,
            "authorization_endpoint": f"{i}/authorize",
            "token_endpoint": f"{i}/token",
            "jwks_uri": f"{i}/jwks",
            "revocation_endpoint": f"{i}/revoke",
            "end_session_endpoint": f"{i}/logout",
            "code_challenge_methods_supported": ["S256"],
            **self.metadata_extra,
        }

    def __enter__(self) -> FakeIdp:
        self._thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for _, p in self.calls if p == path)

    def secrets(self) -> set[str]:
        """Every code, verifier, nonce, refresh token and ID token seen or handed out so far."""
        with self._lock:
            return set(self._secrets)

    # -- the user at the provider ----------------------------------------------------------------

    def authorize(self, url: str) -> tuple[str, dict[str, str]]:
        """Sign in at the keeper's authorization URL: return the code and the request's parameters."""
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{self.issuer}/authorize"
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert params["response_type"] == "code" and params["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = params
            self._secrets |= {code, params["nonce"]}
        return code, params

    # -- the endpoints -----------------------------------------------------------------------------

    def _tokens(self, nonce: str | None, scope: str) -> dict[str, Any]:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": "user-1", "aud": CLIENT_ID, "iat": now, "exp": now + 600}
        claims |= {"name": "Ada Lovelace", "auth_time": now}
        if nonce is not None:
            claims["nonce"] = nonce
        id_token = jwt.encode(claims, _KEY, algorithm="RS256", headers={"kid": "k1"})
        body: dict[str, Any] = {
            "access_token": self._access("at-" + secrets.token_urlsafe(16)),
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": scope,
            "id_token": id_token,
        }
        self._secrets.add(id_token)
        if self.refresh:
            body["refresh_token"] = "rt-" + secrets.token_urlsafe(24)
            self._refresh_tokens.add(body["refresh_token"])
            self._secrets.add(body["refresh_token"])
        return body

    def token(self, form: dict[str, str]) -> tuple[int, Any]:
        with self._lock:
            if "code_verifier" in form:
                self._secrets.add(form["code_verifier"])
            if self.token_errors:
                return self.token_errors.pop(0)
            if form.get("grant_type") == "authorization_code":
                asked = self._codes.pop(form.get("code", ""), None)  # single use
                verifier = form.get("code_verifier", "").encode()
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
                if (
                    asked is None
                    or asked["code_challenge"] != challenge
                    or asked["redirect_uri"] != form.get("redirect_uri")
                    or asked["client_id"] != (form.get("client_id") or self.basic_client_id())
                ):
                    return 400, {"error": "invalid_grant"}
                return 200, self._tokens(asked["nonce"], asked["scope"])
            if form.get("grant_type") == "refresh_token":
                rt = form.get("refresh_token", "")
                if rt not in self._refresh_tokens or rt in self.revoked:
                    return 400, {"error": "invalid_grant"}
                if self.rotate:
                    self._refresh_tokens.discard(rt)
                body = self._tokens(None, "openid profile")
                resource = form.get("resource")
                if resource is not None and self.resource_audience is not False:
                    aud = self.resource_audience or resource
                    now = int(time.time())
                    claims = {"iss": self.issuer, "sub": "user-1", "aud": aud, "exp": now + 600}
                    body["access_token"] = self._access(
                        jwt.encode(claims, _KEY, algorithm="RS256", headers={"kid": "k1"})
                    )
                    self._secrets.add(body["access_token"])
                return 200, body
            if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:token-exchange":
                return self._exchange(form)
            return 400, {"error": "unsupported_grant_type"}

    def _access(self, token: str) -> str:
        self._access_tokens.add(token)
        return token

    def _exchange(self, form: dict[str, str]) -> tuple[int, Any]:
        """RFC 8693 §2: a live access token of ours for a JWT whose aud is the resource or audience."""
        if form.get("subject_token") not in self._access_tokens or form.get("subject_token_type") != (
            "urn:ietf:params:oauth:token-type:access_token"
        ):
            return 400, {"error": "invalid_grant"}
        now = int(time.time())
        aud = form.get("audience") or form.get("resource")
        claims = {
            "iss": self.issuer,
            "sub": "user-1",
            "aud": aud,
            "exp": now + 600,
            "jti": secrets.token_hex(8),
        }
        token = self._access(jwt.encode(claims, _KEY, algorithm="RS256", headers={"kid": "k1"}))
        body = {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
        body |= {"issued_token_type": self.exchange_issued} if self.exchange_issued else {}
        return 200, body

    def basic_client_id(self) -> str | None:
        """The client_id of the last POST's HTTP Basic authentication (RFC 6749 §2.3.1), if any."""
        header = self.posts[-1][2] if self.posts else None
        if not header or not header.startswith("Basic "):
            return None
        return unquote_plus(base64.b64decode(header[6:]).decode().split(":", 1)[0])

    def answer(
        self, method: str, path: str, form: dict[str, str], authorization: str | None = None
    ) -> tuple[int, Any]:
        with self._lock:
            self.calls.append((method, path))
            if method == "POST":
                self.posts.append((path, form, authorization))
        if path == "/.well-known/openid-configuration":
            return 200, self.metadata()
        if path == "/jwks":
            return 200, {"keys": [_JWK]}
        if path == "/token" and method == "POST":
            return self.token(form)
        if path == "/revoke" and method == "POST":
            with self._lock:
                self.revoked.add(form.get("token", ""))
            return 200, {}
        return 404, {"error": "not_found"}


def _handler(idp: FakeIdp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            status, body = idp.answer(
                method, urlsplit(self.path).path, form, self.headers.get("Authorization")
            )
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._reply("GET")

        def do_POST(self) -> None:
            self._reply("POST")

        def log_message(self, *_args: Any) -> None:  # never a line: a form may hold a token
            pass

    return Handler


def strings(value: Any) -> list[str]:
    """Every string in a JSON-like value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings(v)]
    return []


def leaked(value: Any, secret_set: set[str]) -> list[str]:
    """Which secrets appear in any string of ``value`` (returns their lengths' descriptions only)."""
    found = [s for s in strings(value) for secret in secret_set if secret and secret in s]
    return [f"a secret inside a string of {len(s)} characters" for s in found]


def begin(keeper: Keeper, idp: FakeIdp, instance: str, fresh: bool = False, **config: Any) -> dict[str, Any]:
    """What the server asks of the keeper when a page signs in."""
    return keeper.begin(idp.config(**config), REDIRECT, instance, fresh, None, 60)


def sign_in(
    keeper: Keeper, idp: FakeIdp, instance: str, fresh: bool = False, **config: Any
) -> dict[str, Any]:
    """A whole sign-in: begin, the user at the provider, the answer redeemed. Returns the view."""
    started = begin(keeper, idp, instance, fresh, **config)
    code, _ = idp.authorize(started["url"])
    view: dict[str, Any] = keeper.redeem(started["state"], {"code": code, "state": started["state"]})[
        "session"
    ]
    return view


def collector(events: list[dict[str, Any]]) -> Callable[[dict[str, Any]], bool]:
    """A follower's ``send`` for Keeper.follow that keeps what it is sent."""

    def send(event: dict[str, Any]) -> bool:
        events.append(event)
        return True

    return send
