"""An administrator's confidential clients (docs/admins.md): three providers in the registry, one per
method (client_secret_basic from a file, client_secret_post from an environment variable,
private_key_jwt from a key file), against oidc-provider's confidential clients. Sign-in, renewal and
sign-out (revocation) each authenticate with the entry's method, as the provider's log shows; a wrong
secret is said as invalid_client naming the entry; and neither secret nor key is in any route's
answer, the page, the kernel's memory or environment, or the server's log."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import BrowserContext

from ._memory import memory_holds
from ._page import NotebookPage, sign_in
from ._procs import free_port
from ._stack import Lab, Provider, start_lab, start_provider, write_notebook
from .test_hostile import SCRIPT, STATIC

BASIC_SECRET = "basic-" + uuid.uuid4().hex
POST_SECRET = "post-" + uuid.uuid4().hex
ENV_NAME = "E2E_OIDC_POST_SECRET"
KEY = ec.generate_private_key(ec.SECP256R1())
KEY_PEM = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
)
#: A line from the middle of the key's PEM: what a leak of the key would hold.
KEY_LINE = KEY_PEM.decode().splitlines()[2]
IMPORT = "from ipython_oidc_client import Token, authenticate\ntoken = Token()"
METHODS = {"basic": "client_secret_basic", "post": "client_secret_post", "jwt": "private_key_jwt"}


@dataclass
class Stack:
    lab: Lab
    idp: Provider
    auth_log: Path

    def authentications(self, client_id: str) -> list[dict[str, Any]]:
        if not self.auth_log.exists():
            return []
        entries = [json.loads(line) for line in self.auth_log.read_text().splitlines() if line]
        return [e for e in entries if e["client_id"] == client_id]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    port = free_port()
    redirect = [f"http://127.0.0.1:{port}/oidc/redirect.html"]
    public_jwk = {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(KEY.public_key())), "kid": "e2e-1"}
    work = tmp_path_factory.mktemp("confidential-provider")
    auth_log = work / "client-auth.jsonl"
    clients = [
        {"client_id": "conf-basic", "token_endpoint_auth_method": "client_secret_basic",
         "client_secret": BASIC_SECRET, "redirect_uris": redirect},
        {"client_id": "conf-post", "token_endpoint_auth_method": "client_secret_post",
         "client_secret": POST_SECRET, "redirect_uris": redirect},
        {"client_id": "conf-jwt", "token_endpoint_auth_method": "private_key_jwt",
         "jwks": {"keys": [public_jwk]}, "redirect_uris": redirect},
    ]  # fmt: skip
    idp = start_provider(work, clients, client_auth_file=str(auth_log))
    secrets = tmp_path_factory.mktemp("admin-secrets")
    (secrets / "basic").write_text(BASIC_SECRET + "\n")
    (secrets / "key.pem").write_bytes(KEY_PEM)
    for path in secrets.iterdir():
        path.chmod(0o600)

    def entry(client_id: str, auth: dict[str, Any]) -> dict[str, Any]:
        return {
            "authority": idp.issuer,
            "client_id": client_id,
            "scope": "openid profile",
            "client_auth": auth,
        }

    providers = {
        "basic": entry(
            "conf-basic", {"method": "client_secret_basic", "secret_file": str(secrets / "basic")}
        ),
        "post": entry("conf-post", {"method": "client_secret_post", "secret_env": ENV_NAME}),
        "jwt": entry(
            "conf-jwt",
            {
                "method": "private_key_jwt",
                "key_file": str(secrets / "key.pem"),
                "kid": "e2e-1",
                "alg": "ES256",
            },
        ),
        "wrong": entry("conf-basic", {"method": "client_secret_basic", "secret": "not-the-secret"}),
    }
    try:
        lab = start_lab(
            tmp_path_factory.mktemp("confidential-lab"),
            port=port,
            registry={"providers": providers},
            extra_env={ENV_NAME: POST_SECRET},
        )
        try:
            yield Stack(lab, idp, auth_log)
        finally:
            lab.server.stop()
    finally:
        idp.server.stop()


def _hostile(lab: Lab, name: str, dump: str) -> str:
    """test_hostile.py's script: every module export, the page's storage, and every route asked with
    the server's token — here for the named provider, so that it renews and signs out too."""
    modules = sorted(p.name for p in STATIC.glob("*.js"))
    return (
        SCRIPT.read_text()
        .replace("__MODULES__", json.dumps(modules))
        .replace("__CONFIG__", json.dumps({"provider": name}))
        .replace("__TOKEN__", lab.token)
        .replace("__DUMP__", dump)
    )


def _wait_file(path: Path, end: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while not (path.exists() and path.read_text().endswith(end)):
        assert time.monotonic() < deadline, f"{path.name} was not written"
        time.sleep(0.1)  # polling a file with a deadline
    return path.read_text()


@pytest.mark.parametrize("name", list(METHODS))
def test_sign_in_renewal_and_sign_out_authenticate_with_the_entrys_method(
    stack: Stack, context: BrowserContext, name: str
) -> None:
    lab, client_id = stack.lab, f"conf-{name}"
    dump = f"confidential-{uuid.uuid4().hex[:8]}.txt"
    notebook = f"confidential-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(
        lab.root / notebook,
        [
            f"{IMPORT}\ns = authenticate({name!r}, token)",
            "import asyncio, os, time\ndeadline = time.monotonic() + 30\n"
            "while 'access_token' not in token and time.monotonic() < deadline:\n"
            "    await asyncio.sleep(0.05)\n"
            f"print('kernel pid', os.getpid(), 'env', {ENV_NAME!r} in os.environ,"
            " 'token', 'access_token' in token)",
            "from IPython.display import Javascript, display\n"
            f"display(Javascript({_hostile(lab, name, dump)!r}))",
        ],
    )
    nb = NotebookPage(context, lab, notebook)
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    sign_in(popup_info.value, "carol")
    assert "Signed in as Carol Example" in nb.wait_status("signed_in")
    out = nb.run_and_wait(1, "kernel pid")
    assert out.split()[-4:] == ["env", "False", "token", "True"], out  # the variable is the keeper's alone
    kernel = int(out.split()[2])

    nb.run(2)  # the routes: renew (a refresh grant) and log out (a revocation), as a cell's script can
    found = _wait_file(lab.root / dump, "END-OF-DUMP")
    assert "/renew 200" in found and "/logout 200" in found and "import-failed" not in found, found[-2000:]
    used = [
        (e["endpoint"], e["grant_type"], e["auth"], e["status"]) for e in stack.authentications(client_id)
    ]
    method = METHODS[name]
    assert used == [
        ("/token", "authorization_code", method, 200),
        ("/token", "refresh_token", method, 200),
        ("/token/revocation", None, method, 200),
    ], used

    held = memory_holds(kernel, [BASIC_SECRET, POST_SECRET, KEY_LINE])
    assert not any(held.values()), f"the kernel's memory holds {[k[:5] for k, v in held.items() if v]}"
    for where, text in (("a route, the page or a module", found), ("the server's log", lab.server.log())):
        for secret in (BASIC_SECRET, POST_SECRET, KEY_LINE):
            assert secret not in text, f"a client credential in {where}"
    assert "client_auth" not in found, "the registry served to the page names client_auth"


def test_a_wrong_secret_says_invalid_client_and_names_the_entry(
    stack: Stack, context: BrowserContext
) -> None:
    notebook = f"confidential-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(
        stack.lab.root / notebook,
        [f"{IMPORT}\ns = authenticate('wrong', token)"],
    )
    nb = NotebookPage(context, stack.lab, notebook)
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    sign_in(popup_info.value, "dave")
    text = nb.wait_status("error")
    assert "invalid_client" in text and "OidcExtension.providers['wrong']['client_auth']" in text, text
    refused = [e for e in stack.authentications("conf-basic") if e["error"] == "invalid_client"]
    assert refused and refused[-1]["auth"] == "client_secret_basic"
