"""Confidential clients (docs/admins.md): each method's request is what its RFC says (RFC 6749
§2.3.1, OpenID Connect Core §9, RFC 7523 §3), the keeper sends credentials for the administrator's own
entry only, a refusal names the entry to fix, and no secret is in any repr, view or error."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fake_idp import CLIENT_ID, REDIRECT, FakeIdp, leaked

from ipython_oidc_client._errors import AuthenticationError, ConfigError
from ipython_oidc_client._keeper.clients import ClientAuth, check_spec
from ipython_oidc_client._keeper.credentials import Client, load, load_all
from ipython_oidc_client._keeper.keeper import Keeper
from ipython_oidc_client._keeper.wire import KeeperError
from ipython_oidc_client._native.config import native_config

SECRET = "s3cret with space:colon+plus"
META = {"issuer": "https://idp.example", "token_endpoint": "https://idp.example/token"}
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def pem(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def self_signed(name: str) -> tuple[bytes, bytes]:
    """A certificate and its EC key in PEM, as an administrator would upload to Entra ID."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), pem(key)


def entry(**extra: Any) -> dict[str, Any]:
    return {"authority": "https://idp.example", "client_id": "notebooks", "scope": "openid", **extra}


def test_basic_form_encodes_both_parts_and_leaves_the_client_id_out_of_the_body() -> None:
    auth = load("corp", entry(), {"method": "client_secret_basic", "secret": SECRET}, {})
    data, headers = auth.apply({"grant_type": "refresh_token", "client_id": "notebooks"}, "u", META)
    assert "client_id" not in data and "client_secret" not in data
    pair = base64.b64decode(headers["Authorization"].removeprefix("Basic ")).decode()
    assert pair == "notebooks:s3cret+with+space%3Acolon%2Bplus"  # §2.3.1: form-encoded, then Base64


def test_post_puts_the_secret_in_the_body_only() -> None:
    auth = load("corp", entry(), {"method": "client_secret_post", "secret": SECRET}, {})
    data, headers = auth.apply({"grant_type": "refresh_token"}, "u", META)
    assert data["client_secret"] == SECRET and data["client_id"] == "notebooks" and headers == {}


def test_a_secret_file_is_read_without_its_final_newline(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text(SECRET + "\n")
    auth = load(
        "corp", entry(), {"method": "client_secret_post", "secret_file": str(tmp_path / "secret")}, {}
    )
    assert auth.apply({}, "u", META)[0]["client_secret"] == SECRET


@pytest.mark.parametrize("audience", ["token_endpoint", "issuer"])
def test_private_key_jwt_signs_a_fresh_short_assertion_for_each_request(
    tmp_path: Path, audience: str
) -> None:
    (tmp_path / "key.pem").write_bytes(pem(EC_KEY))
    spec = {"method": "private_key_jwt", "key_file": str(tmp_path / "key.pem"), "alg": "ES256", "kid": "k7"}
    auth = load("corp", entry(), {**spec, "audience": audience}, {})
    first, _ = auth.apply({"grant_type": "authorization_code"}, "u", META)
    second, _ = auth.apply({"grant_type": "authorization_code"}, "u", META)
    assert first["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    aud = META["issuer"] if audience == "issuer" else META["token_endpoint"]
    claims = jwt.decode(first["client_assertion"], EC_KEY.public_key(), algorithms=["ES256"], audience=aud)
    assert claims["iss"] == claims["sub"] == "notebooks"  # RFC 7523 §3
    assert claims["exp"] - claims["iat"] == 60
    assert jwt.get_unverified_header(first["client_assertion"])["kid"] == "k7"
    assert jwt.decode(second["client_assertion"], options={"verify_signature": False})["jti"] != claims["jti"]


def test_a_certificate_puts_its_thumbprints_in_the_header(tmp_path: Path) -> None:
    cert_pem, key_pem = self_signed("client.example")
    (tmp_path / "key.pem").write_bytes(key_pem)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    spec = {
        "method": "private_key_jwt",
        "key_file": str(tmp_path / "key.pem"),
        "certificate_file": str(tmp_path / "cert.pem"),
        "alg": "ES256",
    }
    data, _ = load("entra", entry(), spec, {}).apply({}, "u", META)
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = x509.load_pem_x509_certificate(cert_pem).public_bytes(Encoding.DER)
    want = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
    assert jwt.get_unverified_header(data["client_assertion"])["x5t#S256"] == want
    (tmp_path / "other.pem").write_bytes(self_signed("other.example")[0])
    with pytest.raises(ConfigError, match="certificate_file is not the private key's certificate"):
        load("entra", entry(), {**spec, "certificate_file": str(tmp_path / "other.pem")}, {})


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("secret", "client_auth must be a JSON object"),
        ({"method": "client_secret_jwt", "secret": "x"}, "client_auth.method: must be one of"),
        ({"method": "client_secret_post"}, "needs exactly one of secret, secret_file, secret_env; got 0"),
        ({"method": "client_secret_post", "secret": "x", "secret_env": "X"}, "exactly one"),
        ({"method": "client_secret_post", "secret_file": "secret.txt"}, "must be an absolute path"),
        ({"method": "client_secret_post", "secret_env": "A-B"}, "an environment variable's name"),
        ({"method": "client_secret_post", "secret": "x", "kid": "k"}, "client_auth.kid: is not a setting"),
        ({"method": "private_key_jwt", "key_env": "K", "alg": "HS256"}, "client_auth.alg: must be one of"),
        ({"method": "private_key_jwt", "key_env": "K", "audience": "x"}, "client_auth.audience"),
    ],
)
def test_a_malformed_client_auth_is_named(spec: Any, says: str) -> None:
    with pytest.raises(ConfigError, match=says.replace("(", r"\(")):
        check_spec(spec)


def test_what_cannot_be_read_is_one_line_naming_the_provider_and_the_key(tmp_path: Path) -> None:
    (tmp_path / "enc.pem").write_bytes(
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
    )
    (tmp_path / "ec.pem").write_bytes(pem(EC_KEY))
    clients = {
        "a": {
            "entry": entry(),
            "auth": {"method": "client_secret_post", "secret_file": str(tmp_path / "none")},
        },
        "b": {"entry": entry(), "auth": {"method": "client_secret_basic", "secret_env": "NOT_SET_HERE"}},
        "c": {"entry": entry(), "auth": {"method": "private_key_jwt", "key_file": str(tmp_path / "enc.pem")}},
        "d": {"entry": entry(), "auth": {"method": "private_key_jwt", "key_file": str(tmp_path / "ec.pem")}},
    }
    loaded, errors, _ = load_all(clients, {})
    assert loaded == {}
    where = "OidcExtension.providers"
    assert errors == [
        f"{where}['a']: client_auth.secret_file: cannot read {tmp_path}/none (No such file or directory).",
        f"{where}['b']: client_auth.secret_env: the environment variable NOT_SET_HERE is not set or empty.",
        f"{where}['c']: client_auth.key_file is not an unencrypted PEM private key (ValueError); give the "
        "key in PEM (PKCS#8 or traditional) without a passphrase.",
        f"{where}['d']: client_auth.alg RS256 does not fit the private key (TypeError).",
    ]


def test_a_method_the_provider_does_not_list_is_refused() -> None:
    basic = ClientAuth("corp", "notebooks", "client_secret_basic", "x")
    post = ClientAuth("corp", "notebooks", "client_secret_post", "x")
    assert basic.unsupported(META) is None  # Discovery §3: basic is the default when none is listed
    said = post.unsupported(META)
    assert said is not None and "client_secret_post is not among" in said and "client_secret_basic" in said
    listed = {**META, "token_endpoint_auth_methods_supported": ["client_secret_post"]}
    assert post.unsupported(listed) is None and basic.unsupported(listed) is not None


def test_no_secret_in_reprs_or_refusals() -> None:
    auth = load("corp", entry(), {"method": "client_secret_post", "secret": SECRET}, {})
    cfg = native_config(entry())
    import dataclasses

    with_auth = dataclasses.replace(cfg, client_auth=auth)
    refused = auth.explain(AuthenticationError("invalid_client", "client authentication failed"))
    for text in (repr(auth), repr(with_auth), str(refused), refused.message):
        assert SECRET not in text
    assert "OidcExtension.providers['corp']['client_auth'] (client_secret_post)" in refused.message


@pytest.fixture
def confidential(idp: FakeIdp) -> Iterator[Keeper]:
    idp.metadata_extra = {"token_endpoint_auth_methods_supported": ["client_secret_basic"]}
    client = Client(idp.config(), ClientAuth("corp", CLIENT_ID, "client_secret_basic", SECRET))
    keeper = Keeper({"corp": client})
    yield keeper
    with keeper.state.changed:
        keeper._stop.set()
        keeper.state.changed.notify_all()


def test_the_keeper_authenticates_as_the_administrators_client_everywhere(
    confidential: Keeper, idp: FakeIdp
) -> None:
    started = confidential.begin(idp.config(), REDIRECT, "w1", False, "corp", 60)
    code, _ = idp.authorize(started["url"])
    view = confidential.redeem(started["state"], {"code": code, "state": started["state"]})["session"]
    confidential.renew(view["id"])
    confidential.logout(view["id"], "")
    posts = [(path, form.get("grant_type"), header) for path, form, header in idp.posts]
    assert [p[:2] for p in posts] == [
        ("/token", "authorization_code"),
        ("/token", "refresh_token"),
        ("/revoke", None),
    ]
    pair = f"{quote_plus(CLIENT_ID)}:{quote_plus(SECRET)}"
    basic = "Basic " + base64.b64encode(pair.encode()).decode()
    assert all(header == basic for _, _, header in posts)
    assert not leaked(json.dumps(confidential.view(view["id"])), {SECRET})


def test_the_credentials_go_to_the_entrys_own_provider_only(confidential: Keeper, idp: FakeIdp) -> None:
    moved = idp.config(authority="http://127.0.0.1:9", client_id=CLIENT_ID)
    with pytest.raises(KeeperError) as refused:
        confidential.begin(moved, REDIRECT, "w1", False, "corp", 60)
    assert refused.value.error == "config" and "cannot be changed" in refused.value.message
    # Without the label, the same config is a public client's sign-in: no credentials at all.
    started = confidential.begin(idp.config(), REDIRECT, "w2", False, None, 60)
    code, _ = idp.authorize(started["url"])
    confidential.redeem(started["state"], {"code": code, "state": started["state"]})
    assert idp.posts[-1][2] is None and "client_secret" not in idp.posts[-1][1]


def test_a_wrong_secret_names_the_entry_to_fix(confidential: Keeper, idp: FakeIdp) -> None:
    idp.token_errors.append(
        (401, {"error": "invalid_client", "error_description": "client authentication failed"})
    )
    started = confidential.begin(idp.config(), REDIRECT, "w1", False, "corp", 60)
    code, _ = idp.authorize(started["url"])
    with pytest.raises(KeeperError) as refused:
        confidential.redeem(started["state"], {"code": code, "state": started["state"]})
    assert refused.value.error == "invalid_client"
    assert "OidcExtension.providers['corp']['client_auth']" in refused.value.message
    assert SECRET not in refused.value.message


def test_a_notebook_can_neither_give_nor_change_client_auth() -> None:
    from ipython_oidc_client._config import check_config
    from ipython_oidc_client._providers import check_request

    spec = {"method": "client_secret_post", "secret": SECRET}
    with pytest.raises(ConfigError, match="a notebook cannot keep a secret") as full:
        check_config({**entry(), "client_auth": spec})
    with pytest.raises(ConfigError, match="a notebook cannot keep a secret") as named:
        check_request({"provider": "corp", "client_auth": spec})
    assert SECRET not in str(full.value) + str(named.value)
