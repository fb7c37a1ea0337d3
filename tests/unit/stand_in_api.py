"""A stand-in API on 127.0.0.1 for the SDK adapters' tests (stdlib HTTP server over TLS, its own
self-signed certificate): it answers 200 only to the bearer token it is told is current, and 401 with an
RFC 6750 challenge to anything else; it records the Authorization header of every request. Its 200 has
the headers an Azure Storage account answers ``get_account_information`` with, so a real
azure-storage-blob client can talk to it. TLS because that client refuses a token credential over http.
Nothing here prints a token."""

from __future__ import annotations

import datetime
import ipaddress
import secrets
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

#: What Azure Storage answers get_account_information with (the client reads these headers).
ACCOUNT_HEADERS = {
    "x-ms-sku-name": "Standard_LRS",
    "x-ms-account-kind": "StorageV2",
    "x-ms-is-hns-enabled": "false",
}


def certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files: the clients trust exactly it."""
    key = ec.generate_private_key(ec.SECP256R1())
    # A name of its own: two stand-ins trusted at once must not share an issuer name, or OpenSSL may
    # check one's signature with the other's key.
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"stand-in API {secrets.token_hex(4)}")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "api-cert.pem", directory / "api-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


class StandIn:
    def __init__(self, directory: Path) -> None:
        #: The one access token it accepts (None: none).
        self.accepts: str | None = None
        #: (path, Authorization header) of every request, in order.
        self.seen: list[tuple[str, str | None]] = []
        #: Paths answered with a 302 to the given URL.
        self.redirects: dict[str, str] = {}
        #: A WWW-Authenticate to answer every request with, in a 401 (None: check the token).
        self.challenge: str | None = None
        self.cert, key = certificate(directory)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True, name="stand-in-api"
        )

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def authorizations(self) -> list[str | None]:
        return [auth for _, auth in self.seen]

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler(api: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            auth = self.headers.get("Authorization")
            api.seen.append((self.path, auth))
            path = urlsplit(self.path).path
            if path in api.redirects:
                self._reply(302, {"Location": api.redirects[path]})
            elif api.challenge is not None:
                self._reply(401, {"WWW-Authenticate": api.challenge})
            elif api.accepts is not None and auth == f"Bearer {api.accepts}":
                self._reply(200, ACCOUNT_HEADERS)
            else:
                self._reply(401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})

        def _reply(self, status: int, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test reads api.seen; stderr stays quiet

    return Handler
