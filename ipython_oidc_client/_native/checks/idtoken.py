"""The ID token (OpenID Connect Core §3.1.3.7), checked with PyJWT against the provider's JWKS."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ..._errors import AuthenticationError
from ..._text import shown

#: Asymmetric algorithms only: a public client has no secret, so an HS* token
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


class NoMatchingKey(AuthenticationError):
    """No key of the provider's JWKS matches the ID token: the set may be stale (a rotated key), so the
    caller may fetch it once more and try again (OpenID Connect Core §10.1.1)."""


def _reject(reason: str, kind: type[AuthenticationError] = AuthenticationError) -> AuthenticationError:
    return kind(
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
    acr_values: tuple[str, ...] = (),
    leeway: float = 60.0,
    now: float | None = None,
) -> dict[str, Any]:
    """OpenID Connect Core 1.0 §3.1.3.7 (and §12.2 on refresh): the signature against the provider's
    JWKS, ``iss``, ``aud``/``azp``, ``exp``, ``iat``, ``nbf``, the nonce when one was sent (the
    browser's sign-in and loopback; the device grant sends none), an unchanged ``sub`` on renewal,
    ``auth_time`` with ``max_age``, ``acr`` with ``acr_values``. Raises NoMatchingKey when no key of
    ``jwks`` fits (the caller may reload the set once).

    ``jwks``: the JWK Set document (RFC 7517 §5) as fetched. Uses PyJWT (imported here, not with the
    package).
    """
    import jwt  # PyJWT with cryptography: only when a native flow runs

    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as err:
        raise _reject(f"not a JWT: {shown(err)}") from None
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise _reject(f"it is signed with {shown(repr(alg), 40)}, which is not allowed")
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
        raise _reject("no key in the provider's JWKS matches it", NoMatchingKey)
    # Core §10.1: without a kid, the key is known only where the set holds one key of this type.
    if kid is None and len(candidates) > 1:
        raise _reject("it names no key (kid) and the JWKS has multiple matching keys")
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
                    "verify_nbf": True,
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
        except jwt.ImmatureSignatureError:
            raise _reject("claim nbf: it is not valid yet") from None
        except jwt.PyJWTError as err:
            raise _reject(shown(err)) from None
        except (TypeError, ValueError):  # PyJWT before 2.13 reads "nbf": null with int()
            raise _reject("claim nbf: it is not a number") from None
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
    # §3.1.3.7 item 12: with acr_values requested, the acr asserted must be one of them.
    if acr_values and payload.get("acr") not in acr_values:
        acr = payload.get("acr")
        raise _reject(
            f"acr is {'missing' if acr is None else repr(str(acr)[:64])}, not one of the requested acr_values"
        )
    return payload
