"""A Jupyter server where the package's server extension does not run (the stand-in for VS Code,
Colab, or a server the package was not installed on): the widget cannot load its module nor have
a callback page, and says so — in the widget and to the kernel — instead of opening a window that
could never come back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import BrowserContext

from ._page import NotebookPage
from ._stack import Lab, Provider, start_lab, write_notebook

DISABLED = ("--ServerApp.jpserver_extensions=ipython_oidc_client=False",)


@pytest.fixture(scope="module")
def bare_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    lab = start_lab(tmp_path_factory.mktemp("bare-lab"), "/", extra_args=DISABLED)
    try:
        yield lab
    finally:
        lab.server.stop()


def test_without_the_server_extension_the_widget_and_the_kernel_say_what_to_do(
    bare_lab: Lab, provider: Provider, context: BrowserContext
) -> None:
    served = requests.get(f"{bare_lab.url}oidc/redirect.html", timeout=10)
    assert served.status_code == 404  # the stand-in is what it claims: no callback page here
    config = {"authority": provider.issuer, "client_id": "notebooks", "scope": "openid"}
    write_notebook(
        Path(bare_lab.root) / "bare.ipynb",
        [
            f"from ipython_oidc_client import authenticate\ns = authenticate({config!r})",
            "print('kernel', s.error.error if s.error else None, '|', s.status)",
        ],
    )
    nb = NotebookPage(context, bare_lab, "bare.ipynb")
    nb.run(0)
    text = nb.wait_status("error")
    assert "no ipython-oidc-client extension" in text and 'flow="device"' in text, text
    assert len(context.pages) == 1  # no sign-in window was opened
    out = nb.run_and_wait(1, "kernel")
    assert "kernel no_server_extension | error" in out, out
