"""Pure checks of what a provider answers, for the flows without a notebook frontend (device
authorization grant, loopback redirect). Nothing here touches the network, so every check runs
offline in the unit tests; fetching lives in ``_http.py`` (the split authlib and oauth4webapi make).
Each check mirrors the page's (``js/issuer.ts``, ``js/idtoken.ts``) and cites its RFC."""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .._errors import AuthenticationError

#: Every endpoint this client may send a code, a token or the user to (js/issuer.ts ENDPOINTS).
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

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

#: RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default."
DEFAULT_INTERVAL = 5.0
#: RFC 8628 §3.5: on slow_down "the interval MUST be increased by 5 seconds for this and all
#: subsequent requests".
SLOW_DOWN_STEP = 5.0
#: RFC 8628 §3.5 asks for exponential backoff when the token endpoint cannot be reached; capped.
MAX_BACKOFF_INTERVAL = 60.0

# RFC 6749 §5.2: error codes are made of %x20-21 / %x23-5B / %x5D-7E; no quote, no backslash.
_ERROR_CODE = re.compile(r"^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,100}$")

#: Asymmetric algorithms only (js/idtoken.ts): a public client has no secret, so an HS* token
#: proves nothing, and "none" never does.
ALLOWED_ALGORITHMS = [
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
]


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
            f'The provider calls itself "{metadata["issuer"]}", but "authority" is "{authority}". '
            f'Set "authority" to exactly "{metadata["issuer"]}" if that is the provider you mean.'
        )
    for field in ENDPOINTS:
        value = metadata.get(field)
        if value is None:
            continue
        parts = urlsplit(str(value))
        if not parts.scheme or not parts.hostname:
            raise _invalid(f'The discovery document {url} gives "{field}" as {value!r}, which is not a URL.')
        # RFC 9700 §2.6, RFC 6749 §3.1 and §3.2: codes and tokens travel over TLS, except on this machine.
        if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname)):
            raise _invalid(
                f'The discovery document {url} gives "{field}" as {value}, which is not https: codes and '
                "tokens would cross the network unencrypted. Ask the provider's administrator to fix it."
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


def error_code(body: Any) -> str | None:
    """The ``error`` of an RFC 6749 §5.2 error answer, or None when there is none or it is malformed."""
    if not isinstance(body, Mapping):
        return None
    code = body.get("error")
    return code if isinstance(code, str) and _ERROR_CODE.match(code) else None


def _description(body: Mapping[str, Any]) -> str:
    text = body.get("error_description")
    if not isinstance(text, str) or not text:
        return ""
    # Shown to the user: printable characters only, bounded.
    return " (" + "".join(c for c in text[:200] if c.isprintable()) + ")"


@dataclass(frozen=True)
class DeviceAuthorization:
    """RFC 8628 §3.2: what the device authorization endpoint answered. ``device_code`` stays in the
    process that polls; the user sees ``verification_uri(_complete)`` and ``user_code``."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float

    def prompt(self) -> str:
        """What the user is told: the link, and the code to type if the link does not carry it."""
        if self.verification_uri_complete:
            return (
                f"To sign in, open {self.verification_uri_complete} in a browser "
                f"and check that it shows the code {self.user_code}."
            )
        return f"To sign in, open {self.verification_uri} in a browser and enter the code {self.user_code}."


def parse_device_authorization(status: int, body: Any) -> DeviceAuthorization:
    """Check the device authorization response (RFC 8628 §3.2), or raise with the provider's error
    (§3.1 errors are RFC 6749 §5.2 errors, e.g. ``unauthorized_client``)."""
    if status != 200 or not isinstance(body, Mapping):
        code = error_code(body)
        if code == "unauthorized_client" or code == "invalid_client":
            raise AuthenticationError(
                code,
                "The provider does not allow this client the device authorization grant"
                + (_description(body) if isinstance(body, Mapping) else "")
                + ". Register the grant type urn:ietf:params:oauth:grant-type:device_code for it, or "
                'sign in with flow="loopback".',
            )
        if code is not None:
            raise AuthenticationError(
                code, "The device authorization request was refused" + _description(body)
            )
        raise AuthenticationError(
            "invalid_response", f"The device authorization endpoint answered HTTP {status} without an error."
        )
    for field in ("device_code", "user_code", "verification_uri"):
        if not isinstance(body.get(field), str) or not body[field]:
            raise AuthenticationError(
                "invalid_response", f'The device authorization response has no "{field}" (RFC 8628 §3.2).'
            )
    for field in ("verification_uri", "verification_uri_complete"):
        value = body.get(field)
        if value is None:
            continue
        parts = urlsplit(str(value))
        if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname or "")):
            raise AuthenticationError(
                "invalid_response",
                f'The provider gives "{field}" as {value!r}: the user would sign in over plain http. '
                "Ask the provider's administrator to fix it.",
            )
    expires_in = body.get("expires_in")
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)) or expires_in <= 0:
        raise AuthenticationError(
            "invalid_response", 'The device authorization response has no valid "expires_in" (RFC 8628 §3.2).'
        )
    interval = body.get("interval", DEFAULT_INTERVAL)
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval <= 0:
        interval = DEFAULT_INTERVAL
    complete = body.get("verification_uri_complete")
    return DeviceAuthorization(
        device_code=body["device_code"],
        user_code=body["user_code"],
        verification_uri=body["verification_uri"],
        verification_uri_complete=complete if isinstance(complete, str) and complete else None,
        expires_in=float(expires_in),
        interval=float(interval),
    )


def next_poll(status: int, body: Any, interval: float) -> float | None:
    """RFC 8628 §3.5: what one answer of the token endpoint to a device code poll means.

    Returns None when ``body`` holds the tokens, else the interval to wait before the next poll
    (``authorization_pending``: the same; ``slow_down``: 5 s more, for good). Raises
    AuthenticationError when polling must stop: ``access_denied``, ``expired_token``, or any other
    error (RFC 6749 §5.2).
    """
    if status == 200 and isinstance(body, Mapping) and "error" not in body:
        return None
    code = error_code(body)
    if code == "authorization_pending":
        return interval
    if code == "slow_down":
        return interval + SLOW_DOWN_STEP
    desc = _description(body) if isinstance(body, Mapping) else ""
    if code == "access_denied":
        raise AuthenticationError(
            "access_denied", "Sign-in was refused at the provider (you chose not to allow it)" + desc + "."
        )
    if code == "expired_token":
        raise AuthenticationError(
            "expired_token",
            "The sign-in code expired before sign-in finished in the browser" + desc + ". Run authenticate() "
            "again and open the new link sooner.",
        )
    if code is not None:
        raise AuthenticationError(code, "The provider refused the device code" + desc + ".")
    raise AuthenticationError(
        "invalid_response", f"The token endpoint answered HTTP {status} without an error."
    )


def backoff(interval: float) -> float:
    """RFC 8628 §3.5: after a connection failure, wait longer (exponential backoff), capped."""
    return min(interval * 2, MAX_BACKOFF_INTERVAL)


def token_error(status: int, body: Any, what: str) -> AuthenticationError:
    """An RFC 6749 §5.2 error answer of the token endpoint, as an AuthenticationError."""
    code = error_code(body)
    if code is None:
        return AuthenticationError("invalid_response", f"The {what} answered HTTP {status} without an error.")
    desc = _description(body) if isinstance(body, Mapping) else ""
    return AuthenticationError(code, f"The provider refused the {what}{desc}.")


@dataclass(frozen=True)
class TokenResponse:
    """RFC 6749 §5.1. ``refresh_token`` and ``id_token`` never leave the helper process."""

    access_token: str
    token_type: str
    expires_at: float | None
    scope: str | None
    refresh_token: str | None
    id_token: str | None

    def for_user(self) -> dict[str, Any]:
        """Exactly the fields the user's process gets (_token.TOKEN_FIELDS)."""
        return {
            "access_token": self.access_token,
            "expires_at": self.expires_at,
            "scope": self.scope,
            "token_type": self.token_type,
        }


def parse_token_response(body: Any, requested_scope: str, now: float | None = None) -> TokenResponse:
    """Check a successful token response (RFC 6749 §5.1)."""
    if not isinstance(body, Mapping):
        raise AuthenticationError("invalid_response", "The token response is not a JSON object.")
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise AuthenticationError("invalid_response", 'The token response has no "access_token".')
    token_type = body.get("token_type")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise AuthenticationError(
            "invalid_response", f"The token response's token_type is {token_type!r}, not Bearer (RFC 6750)."
        )
    expires_in = body.get("expires_in")
    start = time.time() if now is None else now
    expires_at = (
        start + float(expires_in)
        if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) and expires_in > 0
        else None
    )
    scope = body.get("scope")
    refresh = body.get("refresh_token")
    id_token = body.get("id_token")
    return TokenResponse(
        access_token=access_token,
        token_type="Bearer",  # noqa: S106 - the type's name, RFC 6750
        expires_at=expires_at,
        # RFC 6749 §5.1: scope omitted means "as requested".
        scope=scope if isinstance(scope, str) else requested_scope,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        id_token=id_token if isinstance(id_token, str) and id_token else None,
    )


def check_loopback_answer(
    query: Mapping[str, list[str]], state: str, issuer: str, iss_promised: bool = False
) -> str:
    """Check the redirect that reached the loopback listener (RFC 6749 §4.1.2, RFC 8252 §8.9) and
    return the code.

    The state must be exactly the one sent (RFC 6749 §10.12: it binds the answer to this sign-in);
    an ``iss`` must be this provider, and is required when the provider promises it (RFC 9207 §2.4).
    """

    def one(name: str) -> str | None:
        values = query.get(name) or []
        if len(values) > 1:
            raise AuthenticationError("invalid_response", f"The sign-in answer carries {name!r} twice.")
        return values[0] if values else None

    if one("state") != state:
        raise AuthenticationError(
            "state_mismatch",
            "The sign-in answer does not belong to this sign-in (its state differs; RFC 6749 §10.12). "
            "Nothing was sent to the provider. Run authenticate() again.",
        )
    iss = one("iss")
    if (iss is not None or iss_promised) and iss != issuer:
        raise AuthenticationError(
            "issuer_mismatch",
            f"The sign-in answer did not come from {issuer} (RFC 9207). Nothing was sent to the provider.",
        )
    error = one("error")
    if error is not None:
        code = error if _ERROR_CODE.match(error) else "invalid_response"
        desc = one("error_description")
        shown = "".join(c for c in (desc or "")[:200] if c.isprintable())
        raise AuthenticationError(
            code, "The provider refused the sign-in" + (f" ({shown})" if shown else "") + "."
        )
    code_value = one("code")
    if not code_value:
        raise AuthenticationError(
            "invalid_response", "The sign-in answer carries neither a code nor an error."
        )
    return code_value


def _reject(reason: str) -> AuthenticationError:
    return AuthenticationError(
        "invalid_id_token",
        f"The provider's ID token failed validation ({reason}); no token was returned. Check the system "
        "clock and the authority URL.",
    )


def validate_id_token(
    id_token: str,
    jwks: Any,
    *,
    issuer: str,
    client_id: str,
    nonce: str | None = None,
    subject: str | None = None,
    max_age: int | None = None,
    leeway: float = 60.0,
    now: float | None = None,
) -> dict[str, Any]:
    """OpenID Connect Core 1.0 §3.1.3.7 (and §12.2 on refresh): the signature against the provider's
    JWKS, ``iss``, ``aud``/``azp``, ``exp``, ``iat``, the nonce when one was sent (loopback; the
    device grant sends none), an unchanged ``sub`` on renewal, ``auth_time`` with ``max_age``.

    ``jwks``: the JWK Set document (RFC 7517 §5) as fetched. Uses PyJWT (imported here, not with the
    package).
    """
    import jwt  # PyJWT with cryptography: only when a native flow runs

    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as err:
        raise _reject(f"not a JWT: {err}") from None
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise _reject(f"it is signed with {alg!r}, which is not allowed")
    try:
        keys = jwt.PyJWKSet.from_dict(dict(jwks)).keys if isinstance(jwks, Mapping) else []
    except jwt.PyJWTError:
        keys = []
    kid = header.get("kid")
    candidates = [
        k
        for k in keys
        if (kid is None or k.key_id == kid)
        and k.public_key_use in (None, "sig")
        and (k.algorithm_name in (None, alg) or k.Algorithm is None)
    ]
    if not candidates:
        raise _reject("no key in the provider's JWKS matches it")
    at = time.time() if now is None else now
    payload: dict[str, Any] | None = None
    for key in candidates:
        try:
            payload = jwt.decode(
                id_token,
                key.key,
                algorithms=[alg],
                audience=client_id,
                issuer=issuer,
                leeway=leeway,
                # §3.1.3.7 items 1-3, 6-7: signature, iss, aud, alg; exp and iat against `at` below.
                options={
                    "require": ["iss", "sub", "aud", "exp", "iat"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidAudienceError:
            raise _reject("claim aud: it is not for this client") from None
        except jwt.InvalidIssuerError:
            raise _reject("claim iss: another issuer") from None
        except jwt.MissingRequiredClaimError as err:
            raise _reject(f"claim {err.claim} is missing") from None
        except jwt.PyJWTError as err:
            raise _reject(str(err)) from None
    if payload is None:
        raise _reject("its signature does not verify")
    # §3.1.3.7 item 9.
    exp = payload.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or exp < at - leeway:
        raise _reject("it has expired")
    # §3.1.3.7 items 4-5: with several audiences azp must be there; if there, it must be this client.
    aud = payload.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and payload.get("azp") != client_id:
        raise _reject("several audiences but azp is not this client")
    if "azp" in payload and payload["azp"] != client_id:
        raise _reject("azp is not this client")
    # §3.1.3.7 item 10: iat must not lie in the future.
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, (int, float)) or iat > at + leeway:
        raise _reject("iat lies in the future")
    # §3.1.3.7 item 11.
    if nonce is not None and payload.get("nonce") != nonce:
        raise _reject("nonce does not match the one this sign-in sent")
    # §12.2: a refreshed ID token is about the same user.
    if subject is not None and payload.get("sub") != subject:
        raise _reject("sub changed on renewal")
    # §3.1.3.7 item 13.
    if max_age is not None:
        auth_time = payload.get("auth_time")
        if not isinstance(auth_time, (int, float)) or isinstance(auth_time, bool):
            raise _reject("max_age was requested but auth_time is missing")
        if auth_time + max_age < at - leeway:
            raise _reject(f"the sign-in it reports is older than max_age ({max_age} s)")
    return payload
