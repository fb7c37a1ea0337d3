"""An adversarial OpenID provider for the end-to-end tests, on 127.0.0.1 only.

    python server.py config.json

config.json: {"port": 9000, "client_id": "...", "redirect_prefixes": ["http://127.0.0.1:8888/"],
"origins": ["http://127.0.0.1:8888"], "access_token_ttl": 3600, "native": false}

With ``"native": true`` (tests/native/test_conformance_loopback.py) the client is also a native app:
redirect URIs ``http://127.0.0.1:<any port>/`` are accepted (RFC 8252 §7.3) and answered in the query
unless ``response_mode=fragment`` is asked (RFC 6749 §4.1.2), and every case offers the device
authorization grant (RFC 8628), whose device code is approved at once (no user, as /authorize has
no login form). Without it, nothing of this is offered.

Each case is a provider of its own, at the issuer ``http://127.0.0.1:<port>/c/<case>``: its own
discovery document, JWKS, /authorize (which answers at once, without a login form), /token and
/userinfo. What each case does wrong is in ``id_token_for``, ``jwks_for`` and ``Handler``; the
conformance table (docs/conformance.md) says it in words.

The log holds methods, paths without their query, statuses and event names: never a code, a state,
a nonce, a verifier or a token. ``GET /_stats`` counts what each case was asked (the tests read it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

#: Every case this provider plays (the conformance cases, then the fault cases of test_faults.py).
CASES = (
    "happy",
    "alg_none",
    "bad_sig_rs256",
    "bad_sig_es256",
    "hs256_client_id",
    "iss_mismatch",
    "aud_mismatch",
    "azp_mismatch",
    "iat_missing",
    "sub_missing",
    "expired",
    "nonce_bad",
    "nonce_missing",
    "kid_absent_single_jwk",
    "kid_absent_multiple_jwks",
    "key_rotation",
    "discovery_issuer_mismatch",
    "userinfo_sub_mismatch",
    "mixup_iss",
    # Faults (tests/e2e/test_faults.py): conforming, but slow, held, or behind COOP.
    "slow",
    "hold",
    "coop",
)
SLOW_SECONDS = 5.0
SUBJECT = "adversary-alice"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_bytes(n: int, size: int | None = None) -> bytes:
    return n.to_bytes(size or (n.bit_length() + 7) // 8, "big")


class Keys:
    """The signing keys: published ones (rsa-a, rsa-b, ec-a) and rogue ones nobody publishes."""

    def __init__(self) -> None:
        self.rsa = {name: rsa.generate_private_key(65537, 2048) for name in ("rsa-a", "rsa-b", "rogue-rsa")}
        self.ec = {name: ec.generate_private_key(ec.SECP256R1()) for name in ("ec-a", "rogue-ec")}

    def jwk(self, kid: str) -> dict[str, str]:
        if kid in self.rsa:
            numbers = self.rsa[kid].public_key().public_numbers()
            return {
                "kty": "RSA",
                "kid": kid,
                "use": "sig",
                "alg": "RS256",
                "n": b64url(_int_bytes(numbers.n)),
                "e": b64url(_int_bytes(numbers.e)),
            }
        point = self.ec[kid].public_key().public_numbers()
        return {
            "kty": "EC",
            "kid": kid,
            "use": "sig",
            "alg": "ES256",
            "crv": "P-256",
            "x": b64url(_int_bytes(point.x, 32)),
            "y": b64url(_int_bytes(point.y, 32)),
        }

    def sign(self, header: dict[str, Any], claims: dict[str, Any], key: str | bytes | None) -> str:
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        data = signing_input.encode()
        alg = header["alg"]
        if alg == "none":
            signature = b""
        elif alg == "HS256":
            assert isinstance(key, bytes)
            signature = hmac.new(key, data, hashlib.sha256).digest()
        elif alg == "RS256":
            assert isinstance(key, str)
            signature = self.rsa[key].sign(data, padding.PKCS1v15(), hashes.SHA256())
        elif alg == "ES256":
            assert isinstance(key, str)
            r, s = decode_dss_signature(self.ec[key].sign(data, ec.ECDSA(hashes.SHA256())))
            signature = _int_bytes(r, 32) + _int_bytes(s, 32)
        else:
            raise ValueError(alg)
        return f"{signing_input}.{b64url(signature)}"


class State:
    def __init__(self, config: dict[str, Any]) -> None:
        self.port = int(config["port"])
        self.base = f"http://127.0.0.1:{self.port}"
        self.client_id = str(config["client_id"])
        self.redirect_prefixes = list(config["redirect_prefixes"])
        self.origins = set(config["origins"])
        self.ttl = int(config.get("access_token_ttl", 3600))
        self.native = bool(config.get("native", False))
        self.device_codes: dict[str, str] = {}  # device code -> case (native only)
        self.keys = Keys()
        self.lock = threading.Lock()
        self.codes: dict[str, dict[str, Any]] = {}
        self.held: dict[str, str] = {}  # request id -> where /approve sends the browser
        self.access: dict[str, str] = {}  # access token -> case
        self.refresh: dict[str, str] = {}  # refresh token -> case
        self.stats: dict[str, dict[str, Any]] = {case: {} for case in CASES}

    def issuer(self, case: str) -> str:
        return f"{self.base}/c/{case}"

    def count(self, case: str, event: str, value: Any = None) -> None:
        with self.lock:
            entry = self.stats[case]
            entry[event] = (entry.get(event, 0) + 1) if value is None else value


def id_token_for(state: State, case: str, nonce: str | None) -> str:
    """The ID token of `case`: a correct one, except for what the case gets wrong."""
    now = int(time.time())
    issuer = state.issuer(case)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": SUBJECT,
        "aud": state.client_id,
        "exp": now + 3600,
        "iat": now,
        "auth_time": now,
        "name": "Alice Adversary",
    }
    if nonce is not None:
        claims["nonce"] = nonce
    header: dict[str, Any] = {"alg": "RS256", "typ": "JWT", "kid": "rsa-a"}
    key: str | bytes | None = "rsa-a"
    if case == "alg_none":
        header, key = {"alg": "none", "typ": "JWT"}, None
    elif case == "bad_sig_rs256":
        key = "rogue-rsa"  # kid says rsa-a: the signature is well formed but does not verify
    elif case == "bad_sig_es256":
        header, key = {"alg": "ES256", "typ": "JWT", "kid": "ec-a"}, "rogue-ec"
    elif case == "hs256_client_id":
        header, key = {"alg": "HS256", "typ": "JWT"}, state.client_id.encode()
    elif case == "iss_mismatch":
        claims["iss"] = state.issuer("impostor")
    elif case == "aud_mismatch":
        claims["aud"] = "another-client"
    elif case == "azp_mismatch":
        claims["aud"] = [state.client_id, "another-client"]
        claims["azp"] = "another-client"
    elif case == "iat_missing":
        del claims["iat"]
    elif case == "sub_missing":
        del claims["sub"]
    elif case == "expired":
        claims["iat"], claims["auth_time"], claims["exp"] = now - 7200, now - 7200, now - 3600
    elif case == "nonce_bad":
        claims["nonce"] = b64url(secrets.token_bytes(32))
    elif case == "nonce_missing":
        claims.pop("nonce", None)
    elif case in ("kid_absent_single_jwk", "kid_absent_multiple_jwks"):
        del header["kid"]
    elif case == "key_rotation":
        header["kid"], key = "rsa-b", "rsa-b"
    return state.keys.sign(header, claims, key)


def jwks_for(state: State, case: str) -> dict[str, Any]:
    fetches = state.stats[case].get("jwks", 0)  # this request already counted
    if case == "kid_absent_single_jwk":
        kids = ["rsa-a"]
    elif case == "kid_absent_multiple_jwks":
        kids = ["rsa-a", "rsa-b"]
    elif case == "key_rotation":
        # rsa-b, which signs this case's ID tokens, is published only after the first fetch.
        kids = ["rsa-a"] if fetches <= 1 else ["rsa-a", "rsa-b"]
    else:
        kids = ["rsa-a", "ec-a"]
    return {"keys": [state.keys.jwk(kid) for kid in kids]}


def is_loopback_redirect(state: State, redirect_uri: str) -> bool:
    """RFC 8252 §7.3: a native client's ``http://127.0.0.1/``, whatever the port (native only)."""
    parts = urlsplit(redirect_uri)
    return (
        state.native
        and (parts.scheme, parts.hostname, parts.path, parts.query, parts.fragment)
        == ("http", "127.0.0.1", "/", "", "")
        and parts.port is not None
    )


def discovery_for(state: State, case: str) -> dict[str, Any]:
    issuer = state.issuer(case)
    device = {"device_authorization_endpoint": f"{issuer}/device_authorization"} if state.native else {}
    return {
        "issuer": state.issuer("impostor") if case == "discovery_issuer_mismatch" else issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/jwks",
        "userinfo_endpoint": f"{issuer}/userinfo",
        **device,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment"],
        "grant_types_supported": ["authorization_code", "refresh_token"]
        + ([DEVICE_CODE_GRANT] if state.native else []),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": ["openid"],
        "authorization_response_iss_parameter_supported": True,
    }


class Handler(BaseHTTPRequestHandler):
    server_version = "adversary"
    state: State  # set on the class by main()

    # Methods, paths without query, statuses: never a code, a state or a token.
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(self.path).path
        sys.stdout.write(f"{self.command} {path} {code}\n")
        sys.stdout.flush()

    def log_message(self, format: str, *args: Any) -> None:
        sys.stdout.write(f"{self.command} {urlsplit(self.path).path}: {format % args}\n")
        sys.stdout.flush()

    # ---- replies ---------------------------------------------------------------------------
    def _cors(self) -> None:
        origin = self.headers.get("Origin")
        if origin in self.state.origins:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json")

    def _html(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        body = f"<!doctype html><html><body>{text}</body></html>".encode()
        self._send(status, body, "text/html; charset=utf-8", headers)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # ---- routing ---------------------------------------------------------------------------
    def _route(self) -> tuple[str, str] | None:
        parts = urlsplit(self.path).path.split("/")
        # "", "c", case, endpoint...
        if len(parts) >= 4 and parts[1] == "c" and parts[2] in CASES:
            return parts[2], "/".join(parts[3:])
        return None

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/_stats":
            with self.state.lock:
                return self._json(200, self.state.stats)
        route = self._route()
        if route is None:
            return self._json(404, {"error": "not_found"})
        case, endpoint = route
        if case == "slow":
            time.sleep(SLOW_SECONDS)  # this request's thread only: a slow provider, not a stuck one
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        if endpoint == ".well-known/openid-configuration":
            self.state.count(case, "discovery")
            return self._json(200, discovery_for(self.state, case))
        if endpoint == "jwks":
            self.state.count(case, "jwks")
            return self._json(200, jwks_for(self.state, case))
        if endpoint == "authorize":
            self.state.count(case, "authorize")
            return self._authorize(case, query)
        if endpoint == "approve":
            with self.state.lock:
                location = self.state.held.pop(query.get("request", ""), None)
            if location is None:
                return self._html(400, "<p>No such sign-in request.</p>")
            self.state.count(case, "approved")
            return self._redirect(location)
        if endpoint == "userinfo":
            self.state.count(case, "userinfo")
            auth = self.headers.get("Authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else ""
            if self.state.access.get(token) != case:
                return self._json(401, {"error": "invalid_token"})
            sub = "mallory" if case == "userinfo_sub_mismatch" else SUBJECT
            return self._json(200, {"sub": sub, "name": "Alice Adversary"})
        return self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length).decode() if length else ""
        route = self._route()
        if route is None:
            return self._json(404, {"error": "not_found"})
        case, endpoint = route
        if case == "slow":
            time.sleep(SLOW_SECONDS)
        if endpoint == "opener":
            # The COOP case's page reports whether the browser cut window.opener.
            self.state.count(case, "opener_cut", body.strip() == "true")
            return self._json(200, {})
        form = {k: v[0] for k, v in parse_qs(body).items()}
        if endpoint == "device_authorization" and self.state.native:
            return self._device_authorization(case, form)
        if endpoint != "token":
            return self._json(404, {"error": "not_found"})
        if form.get("grant_type") == DEVICE_CODE_GRANT and self.state.native:
            self.state.count(case, "token")
            with self.state.lock:
                owner = self.state.device_codes.pop(form.get("device_code", ""), None)
            if owner != case or form.get("client_id") != self.state.client_id:
                return self._json(400, {"error": "invalid_grant", "error_description": "unknown device code"})
            # No authorization request, so no nonce (RFC 8628 §3.1).
            return self._json(200, self._tokens(case, id_token_for(self.state, case, None)))
        if form.get("grant_type") == "refresh_token":
            self.state.count(case, "refresh")
            if self.state.refresh.get(form.get("refresh_token", "")) != case:
                return self._json(400, {"error": "invalid_grant"})
            return self._json(200, self._tokens(case, id_token=None))
        self.state.count(case, "token")
        with self.state.lock:
            grant = self.state.codes.pop(form.get("code", ""), None)
        if grant is None or grant["case"] != case:
            return self._json(400, {"error": "invalid_grant", "error_description": "unknown or used code"})
        verifier = form.get("code_verifier", "")
        challenge = b64url(hashlib.sha256(verifier.encode()).digest())
        if form.get("client_id") != self.state.client_id or form.get("redirect_uri") != grant["redirect_uri"]:
            return self._json(400, {"error": "invalid_grant", "error_description": "client or redirect_uri"})
        if not hmac.compare_digest(challenge, grant["code_challenge"]):
            return self._json(
                400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
            )
        return self._json(200, self._tokens(case, id_token_for(self.state, case, grant["nonce"])))

    def _tokens(self, case: str, id_token: str | None) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.state.lock:
            self.state.access[access] = case
            self.state.refresh[refresh] = case
        tokens: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.state.ttl,
            "refresh_token": refresh,
            "scope": "openid",
        }
        if id_token is not None:
            tokens["id_token"] = id_token
        return tokens

    def _device_authorization(self, case: str, form: dict[str, str]) -> None:
        """RFC 8628 §3.2; the code is approved at once (the user's part is not played here)."""
        self.state.count(case, "device_authorization")
        if form.get("client_id") != self.state.client_id:
            return self._json(400, {"error": "invalid_client"})
        device_code = secrets.token_urlsafe(32)
        with self.state.lock:
            self.state.device_codes[device_code] = case
        user_code = "ADVR-" + secrets.token_hex(2).upper()
        verification = f"{self.state.issuer(case)}/device"
        return self._json(
            200,
            {
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": verification,
                "verification_uri_complete": f"{verification}?user_code={user_code}",
                "expires_in": 60,
                "interval": 1,
            },
        )

    def _authorize(self, case: str, query: dict[str, str]) -> None:
        redirect_uri = query.get("redirect_uri", "")
        loopback = is_loopback_redirect(self.state, redirect_uri)
        if query.get("client_id") != self.state.client_id:
            return self._html(400, "<p>invalid_client: unknown client_id</p>")
        if not loopback and not any(redirect_uri.startswith(p) for p in self.state.redirect_prefixes):
            return self._html(400, "<p>invalid_request: redirect_uri not registered</p>")
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
            return self._html(400, "<p>invalid_request: code flow with PKCE S256 only</p>")
        code = secrets.token_urlsafe(32)
        with self.state.lock:
            self.state.codes[code] = {
                "case": case,
                "nonce": query.get("nonce"),
                "redirect_uri": redirect_uri,
                "code_challenge": query.get("code_challenge", ""),
            }
        # RFC 9207: name the issuer in the answer; the mix-up case names another provider.
        iss = self.state.issuer("happy" if case == "mixup_iss" else case)
        params = {"code": code, "state": query.get("state", ""), "iss": iss}
        encoded = "&".join(f"{k}={_quote(v)}" for k, v in params.items())
        mode = query.get("response_mode") or ("query" if loopback else "fragment")
        separator = "?" if mode == "query" else "#"
        location = f"{redirect_uri}{separator}{encoded}"
        if case == "hold":
            # A page that waits for the user (a login form would): the sign-in stays in progress.
            request = secrets.token_urlsafe(16)
            with self.state.lock:
                self.state.held[request] = location
            link = f"{self.state.issuer(case)}/approve?request={request}"
            return self._html(
                200, f'<p>Adversary</p><a id="continue" href="{html.escape(link)}">Continue</a>'
            )
        if case == "coop":
            # The provider's page isolates itself: the browser cuts the popup's window.opener.
            script = (
                f"fetch({json.dumps(self.state.issuer(case) + '/opener')}, "
                "{method: 'POST', body: String(window.opener === null)})"
                f".finally(() => location.replace({json.dumps(location)}));"
            )
            return self._html(
                200,
                f"<p>Signing in…</p><script>{script}</script>",
                {"Cross-Origin-Opener-Policy": "same-origin"},
            )
        return self._redirect(location)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def main() -> None:
    with open(sys.argv[1]) as f:
        config = json.load(f)
    Handler.state = State(config)
    server = ThreadingHTTPServer(("127.0.0.1", int(config["port"])), Handler)
    server.daemon_threads = True
    print(f"adversary listening on {Handler.state.base}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
