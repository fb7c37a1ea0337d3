"""An administrator's confidential clients (docs/admins.md, "Confidential clients"): the client
secret or private key of a named provider, read by the keeper alone and sent only to the provider's
token and revocation endpoints. Never in a page, a kernel message, a log line or an error.

``client_secret_basic`` and ``client_secret_post``: RFC 6749 §2.3.1. ``private_key_jwt``: OpenID
Connect Core §9 and RFC 7523 §2.2 (a fresh signed assertion for every request)."""

from __future__ import annotations

import base64
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

from .._errors import AuthenticationError, ConfigError

METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt")
ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
#: Core §9: "The Audience SHOULD be the URL of the Authorization Server's Token Endpoint"; some
#: providers ask for their issuer instead (RFC 7523 §3 allows either).
AUDIENCES = ("token_endpoint", "issuer")
#: How long an assertion is valid: one request's worth, so that a copy is of no use later.
ASSERTION_SECONDS = 60
#: The registry entry's keys that decide where the credentials go: a sign-in that changes any of them
#: does not get them.
BOUND_TO = ("authority", "client_id", "metadataUrl", "metadata", "metadataSeed")
_KEYS = {
    "client_secret_basic": {"method", "secret", "secret_file", "secret_env"},
    "client_secret_post": {"method", "secret", "secret_file", "secret_env"},
    "private_key_jwt": {"method", "key_file", "key_env", "kid", "alg", "certificate_file", "audience"},
}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


def _fail(key: str, message: str) -> ConfigError:
    return ConfigError(key, f"client_auth.{key}: {message}")


def check_spec(spec: object) -> dict[str, Any]:
    """The shape of an entry's ``client_auth``, checked without reading any file or variable."""
    if not isinstance(spec, Mapping):
        raise ConfigError("client_auth", f"client_auth must be a JSON object, got {type(spec).__name__}.")
    method = spec.get("method")
    if method not in METHODS:
        raise _fail("method", f"must be one of {', '.join(METHODS)}; got {method!r}.")
    unknown = sorted(set(spec) - _KEYS[method])
    if unknown:
        raise _fail(unknown[0], f"is not a setting of {method}; it takes {', '.join(sorted(_KEYS[method]))}.")
    for key, value in spec.items():
        if not isinstance(value, str) or not value:
            raise _fail(key, "must be a non-empty string.")
    kind = ("secret", "secret_file", "secret_env") if method != "private_key_jwt" else ("key_file", "key_env")
    given = [k for k in kind if k in spec]
    if len(given) != 1:
        raise _fail(kind[0], f"{method} needs exactly one of {', '.join(kind)}; got {len(given)}.")
    for key in ("secret_file", "key_file", "certificate_file"):
        if key in spec and not spec[key].startswith("/"):
            raise _fail(key, f"must be an absolute path, got {spec[key]!r}.")
    for key in ("secret_env", "key_env"):
        if key in spec and not _ENV_NAME.match(spec[key]):
            raise _fail(key, f"must be an environment variable's name, got {spec[key]!r}.")
    if spec.get("alg", "RS256") not in ALGS:
        raise _fail("alg", f"must be one of {', '.join(ALGS)}; got {spec['alg']!r}.")
    if spec.get("audience", "token_endpoint") not in AUDIENCES:
        raise _fail("audience", f"must be one of {', '.join(AUDIENCES)}; got {spec['audience']!r}.")
    return dict(spec)


def env_names(spec: Mapping[str, Any]) -> list[str]:
    """The environment variables a spec reads (the server keeps them from the kernels it starts)."""
    return [spec[k] for k in ("secret_env", "key_env") if k in spec]


class ClientAuth:
    """How the keeper authenticates as provider ``name``'s client. Its repr names no secret."""

    def __init__(self, name: str, client_id: str, method: str, secret: str = "", **jwt: Any) -> None:
        self.name, self.client_id, self.method = name, client_id, method
        self._secret = secret
        self._key = jwt.get("key")
        self._headers: dict[str, str] = jwt.get("headers", {})
        self._alg: str = jwt.get("alg", "RS256")
        self._audience: str = jwt.get("audience", "token_endpoint")

    def __repr__(self) -> str:
        return f"ClientAuth({self.name!r}, {self.method})"

    def apply(
        self, data: dict[str, str], endpoint: str, metadata: Mapping[str, Any]
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The form and headers of a request to ``endpoint``, authenticated as this client."""
        data = dict(data)
        if self.method == "client_secret_basic":
            # §2.3.1: both parts form-encoded before Base64; the client_id is then not in the body.
            data.pop("client_id", None)
            pair = f"{quote_plus(self.client_id)}:{quote_plus(self._secret)}"
            return data, {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
        if self.method == "client_secret_post":
            return {**data, "client_id": self.client_id, "client_secret": self._secret}, {}
        import jwt as pyjwt

        now = int(time.time())
        audience = metadata["issuer"] if self._audience == "issuer" else metadata["token_endpoint"]
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience,
            "jti": secrets.token_urlsafe(24),
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
        }
        assertion = pyjwt.encode(claims, self._key, algorithm=self._alg, headers=self._headers)  # type: ignore[arg-type]
        return {
            **data,
            "client_id": self.client_id,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        }, {}

    def unsupported(self, metadata: Mapping[str, Any]) -> str | None:
        """Why the provider's discovery document rules this method out, or None."""
        # Discovery 1.0 §3: when the list is absent, client_secret_basic is the default.
        methods = metadata.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
        if isinstance(methods, list) and self.method not in methods:
            return (
                f'provider "{self.name}": its client_auth.method {self.method} is not among the methods '
                f"its provider supports ({', '.join(map(str, methods))}). Use one of those."
            )
        algs = metadata.get("token_endpoint_auth_signing_alg_values_supported")
        if self.method == "private_key_jwt" and isinstance(algs, list) and self._alg not in algs:
            return (
                f'provider "{self.name}": its client_auth.alg {self._alg} is not among the algorithms its '
                f"provider accepts for client assertions ({', '.join(map(str, algs))})."
            )
        return None

    def explain(self, err: AuthenticationError) -> AuthenticationError:
        """A refusal of the client's credentials is the administrator's to fix, not the notebook's."""
        if err.error not in ("invalid_client", "unauthorized_client"):
            return err
        return AuthenticationError(
            err.error,
            f"{err.message} It refused this server's credentials for the client ({err.error}): the "
            f"administrator should check OidcExtension.providers[{self.name!r}]['client_auth'] "
            f"({self.method}).",
        )
