"""Reading a confidential client's credentials, in the keeper only (the server checks the shape of
``client_auth``, never its contents: the server's memory is readable by every process of its user,
the keeper's is not — docs/keeper.md). Each problem is one line naming the provider and the key."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._errors import AuthenticationError, ConfigError
from .._native._http import Http
from .._native.common import discover
from .._native.config import native_config
from .._native.loopback import NEEDS
from .clients import BOUND_TO, ClientAuth, check_spec

#: How long the check at start waits for a provider's discovery document.
DISCOVERY_SECONDS = 5.0


@dataclass
class Client:
    """A named provider's entry (as the server checked it) and its credentials."""

    entry: dict[str, Any]
    auth: ClientAuth

    def matches(self, config: Mapping[str, Any]) -> bool:
        return all(config.get(k) == self.entry.get(k) for k in BOUND_TO)


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _read(spec: Mapping[str, Any], key: str, environ: Mapping[str, str]) -> bytes:
    where = f"client_auth.{key}"
    if key.endswith("_env"):
        value = environ.get(spec[key])
        if not value:
            raise ConfigError(key, f"{where}: the environment variable {spec[key]} is not set or empty.")
        return value.encode()
    try:
        with open(spec[key], "rb") as f:
            return f.read(1024 * 1024)
    except OSError as err:
        raise ConfigError(
            key, f"{where}: cannot read {spec[key]} ({err.strerror or type(err).__name__})."
        ) from None


def load(name: str, entry: Mapping[str, Any], spec: object, environ: Mapping[str, str]) -> ClientAuth:
    spec = check_spec(spec)
    method, client_id = spec["method"], str(entry["client_id"])
    if method != "private_key_jwt":
        source: str = next(k for k in ("secret", "secret_file", "secret_env") if k in spec)
        # A file written with echo ends in a newline that is no part of the secret.
        secret = spec["secret"] if source == "secret" else _read(spec, source, environ).decode().strip()
        if not secret:
            raise ConfigError(source, f"client_auth.{source} is empty.")
        return ClientAuth(name, client_id, method, secret)

    import jwt as pyjwt
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    source = "key_file" if "key_file" in spec else "key_env"
    where = "client_auth"
    try:
        key = serialization.load_pem_private_key(_read(spec, source, environ), password=None)
    except (ValueError, TypeError) as err:
        raise ConfigError(
            source,
            f"{where}.{source} is not an unencrypted PEM private key ({type(err).__name__}); "
            "give the key in PEM (PKCS#8 or traditional) without a passphrase.",
        ) from None
    alg = spec.get("alg", "RS256")
    try:
        pyjwt.encode({"probe": True}, key, algorithm=alg)  # type: ignore[arg-type]
    except Exception as err:  # any refusal means the key does not fit the algorithm
        raise ConfigError(
            "alg", f"{where}.alg {alg} does not fit the private key ({type(err).__name__})."
        ) from None
    headers: dict[str, str] = {"typ": "JWT"}
    if "kid" in spec:
        headers["kid"] = spec["kid"]
    if "certificate_file" in spec:
        try:
            cert = x509.load_pem_x509_certificate(_read(spec, "certificate_file", environ))
        except ValueError:
            raise ConfigError(
                "certificate_file", f"{where}.certificate_file is not a PEM certificate."
            ) from None
        public = serialization.PublicFormat.SubjectPublicKeyInfo
        mine = key.public_key().public_bytes(serialization.Encoding.DER, public)
        if cert.public_key().public_bytes(serialization.Encoding.DER, public) != mine:
            raise ConfigError(
                "certificate_file", f"{where}.certificate_file is not the private key's certificate."
            )
        der = cert.public_bytes(serialization.Encoding.DER)
        # RFC 7515 §4.1.7–8: the thumbprints by which Entra ID finds the certificate it was given.
        headers["x5t"] = _b64(hashlib.sha1(der).digest())  # noqa: S324 - a thumbprint the spec defines
        headers["x5t#S256"] = _b64(hashlib.sha256(der).digest())
    return ClientAuth(
        name,
        client_id,
        method,
        key=key,
        alg=alg,
        headers=headers,
        audience=spec.get("audience", "token_endpoint"),
    )


def load_all(
    clients: Mapping[str, Any], environ: Mapping[str, str]
) -> tuple[dict[str, Client], list[str], list[str]]:
    """``clients``: {name: {"entry": checked entry, "auth": client_auth}}. Returns the loaded clients,
    the errors (the server stops on them) and the warnings (it logs them)."""
    loaded: dict[str, Client] = {}
    errors: list[str] = []
    for name, item in clients.items():
        try:
            entry = dict(item["entry"])
            loaded[name] = Client(entry, load(name, entry, item["auth"], environ))
        except ConfigError as err:  # each says which client_auth key; here, which provider
            errors.append(f"OidcExtension.providers[{name!r}]: {err}")
        except (KeyError, TypeError):
            errors.append(f"OidcExtension.providers[{name!r}]: the server sent the keeper a malformed entry.")
    warnings: list[str] = []
    lock = threading.Lock()

    def check(client: Client) -> None:
        try:
            metadata = discover(native_config(client.entry), Http(DISCOVERY_SECONDS), NEEDS)
        except (AuthenticationError, ConfigError) as err:
            with lock:
                warnings.append(
                    f'provider "{client.auth.name}": its client_auth could not be checked against the '
                    f"provider ({err}); it is checked again at each sign-in."
                )
            return
        problem = client.auth.unsupported(metadata)
        if problem:
            with lock:
                errors.append(problem)

    threads = [threading.Thread(target=check, args=(c,), daemon=True) for c in loaded.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DISCOVERY_SECONDS * 3)
    return loaded, errors, warnings
