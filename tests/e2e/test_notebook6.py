"""The classic notebook as `notebook<7` (6.5) runs it, in its own environment (.venv-nb6, made by
tests/install.sh): the original package's install commands, popup and redirect sign-in, the login
kept, and `await` failing fast on its ipykernel 6."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, notebook6_python, start_notebook6, start_provider, unique, write_notebook

BASE = "/user/alice/"
CLIENT = "classic"


@pytest.fixture(scope="module")
def nb6(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    server = start_notebook6(tmp_path_factory.mktemp("nb6"), BASE)
    try:
        yield server
    finally:
        server.server.stop()


@pytest.fixture(scope="module")
def nb6_provider(tmp_path_factory: pytest.TempPathFactory, nb6: Lab) -> Iterator[Provider]:
    idp = start_provider(
        tmp_path_factory.mktemp("nb6-provider"),
        [{"client_id": CLIENT, "redirect_uris": [nb6.redirect_uri()]}],
    )
    try:
        yield idp
    finally:
        idp.server.stop()


def _notebook(nb6: Lab, provider: Provider, cells: list[str], mode: str = "popup") -> str:
    name = f"nb6-{uuid.uuid4().hex[:8]}.ipynb"
    config = unique({"authority": provider.issuer, "client_id": CLIENT, "scope": "openid profile"})
    first = (
        "from ipython_oidc_client import authenticate\ntoken = {}\n"
        f"s = authenticate({config!r}, token, mode={mode!r})"
    )
    write_notebook(nb6.root / name, [first, *cells])
    return name


def test_the_original_install_commands_succeed(tmp_path: Path) -> None:
    jupyter = [str(notebook6_python()), "-m", "jupyter"]
    env = {**os.environ, "HOME": str(tmp_path)}
    for command in (
        ["nbextension", "install", "--py", "ipython_oidc_client", "--user"],  # --user: not system-wide
        ["nbextension", "enable", "--py", "ipython_oidc_client"],
        ["serverextension", "enable", "--py", "ipython_oidc_client"],
    ):
        done = subprocess.run(jupyter + command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (command, done.stdout, done.stderr)


def test_popup_sign_in_keeps_the_jupyter_login_and_logs_no_secret(
    nb6: Lab, nb6_provider: Provider, context: BrowserContext
) -> None:
    name = _notebook(nb6, nb6_provider, ["print('keys', sorted(token))"])
    nb = NotebookPage(context, nb6, name, "notebook6")
    before = len(nb6_provider.issued())
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    sign_in(popup_info.value, "heidi")
    assert "Signed in as Heidi Example" in nb.wait_status("signed_in")
    nb.run_and_wait(1, "keys ['access_token', 'expires_at', 'scope', 'token_type']")
    # notebook 6's login cookie is still good: jupyter_server's handlers would have cleared it.
    assert context.request.get(f"{nb6.url}api/contents").status == 200
    issued = nb6_provider.issued()[before:]
    tokens = next(e for e in issued if "access_token" in e)
    code = next(e["code"] for e in issued if "code" in e)
    log = nb6.server.log()
    assert "oidc/redirect.html" in log
    for secret in (tokens["refresh_token"], tokens["id_token"], tokens["access_token"], code):
        assert secret not in log and secret not in nb.storage()


def test_redirect_mode_comes_back_to_the_notebook(
    nb6: Lab, nb6_provider: Provider, context: BrowserContext
) -> None:
    name = _notebook(nb6, nb6_provider, ["print('back', sorted(token))"], mode="redirect")
    nb = NotebookPage(context, nb6, name, "notebook6")
    nb.redirect_trip(0, nb6_provider.issuer, "ivan")
    # The classic notebook draws no widget after the trip unless the notebook was saved, but the
    # widget's model is back and finishes the trip: once it has told the kernel the keeper's session,
    # the kernel follows it there and has the token.
    nb.wait_sent_to_kernel('"type":"session"')
    nb.run_and_wait(1, "back ['access_token', 'expires_at', 'scope', 'token_type']")


def test_await_fails_fast_on_ipykernel_6(nb6: Lab, nb6_provider: Provider, context: BrowserContext) -> None:
    config = {"authority": nb6_provider.issuer, "client_id": CLIENT}
    cell = (
        "from ipython_oidc_client import authenticate\n"
        f"try:\n    token = await authenticate({config!r})\n"
        "except Exception as e:\n    print('fast', e.error, '|', e.message)"
    )
    name = f"nb6-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(nb6.root / name, [cell])
    nb = NotebookPage(context, nb6, name, "notebook6")
    out = nb.run_and_wait(0, "fast", timeout=10_000)
    assert "fast cannot_wait | This kernel (ipykernel 6." in out and "next" in out, out
