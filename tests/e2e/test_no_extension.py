"""A Jupyter server where the package's server extension does not run (the stand-in for VS Code,
Colab, or a server the package was not installed on): the page can neither load the widget's module
nor have a callback page. The widget says so and opens no window; the kernel signs in by itself with
the device authorization grant (RFC 8628), the link and the code shown in the widget."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import BrowserContext, expect

from ._page import NotebookPage, approve_device
from ._stack import Lab, Provider, start_lab, start_provider, write_notebook

DISABLED = ("--ServerApp.jpserver_extensions=ipython_oidc_client=False",)
DEVICE_CLIENT = "notebooks-device"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture(scope="module")
def bare_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    lab = start_lab(tmp_path_factory.mktemp("bare-lab"), "/", extra_args=DISABLED)
    try:
        yield lab
    finally:
        lab.server.stop()


@pytest.fixture(scope="module")
def device_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    client = {
        "client_id": DEVICE_CLIENT,
        "application_type": "native",
        "redirect_uris": ["http://127.0.0.1/"],
        "grant_types": [DEVICE_CODE_GRANT, "authorization_code", "refresh_token"],
    }
    idp = start_provider(tmp_path_factory.mktemp("device-idp"), [client], device_flow=True, device_interval=1)
    try:
        yield idp
    finally:
        idp.server.stop()


def test_without_the_server_extension_the_kernel_signs_in_by_link_and_code(
    bare_lab: Lab, device_provider: Provider, context: BrowserContext
) -> None:
    served = requests.get(f"{bare_lab.url}oidc/redirect.html", timeout=10)
    assert served.status_code == 404  # the stand-in is what it claims: no callback page here
    config = {"authority": device_provider.issuer, "client_id": DEVICE_CLIENT, "scope": "openid"}
    write_notebook(
        Path(bare_lab.root) / "bare.ipynb",
        [
            f"import requests\nfrom ipython_oidc_client import authenticate\ns = authenticate({config!r})",
            "await s\n"
            f"r = requests.get({device_provider.issuer + '/me'!r}, auth=s.token, timeout=10)\n"
            "print('userinfo', r.status_code, s.status, sorted(s.token))",
        ],
    )
    nb = NotebookPage(context, bare_lab, "bare.ipynb")
    nb.run(0)
    link = nb.widget().locator("a[href*='user_code']")
    expect(link).to_be_visible(timeout=30_000)
    text = nb.widget().inner_text()
    assert "no ipython-oidc-client extension" not in text and "To sign in, open" in text, text
    # The provider's host beside the link and the code, no warning (its device page is on the
    # issuer's host), and the verification URI the one link (RFC 8628 §3.3).
    assert f"(it is on {urlsplit(device_provider.issuer).netloc})" in text and "Warning" not in text, text
    expect(nb.widget().locator("a")).to_have_count(1)
    assert len(context.pages) == 1  # no sign-in window was opened by the page
    approve_device(context, link.get_attribute("href") or "")
    assert "Signed in with a link and a code" in nb.wait_status("signed_in", timeout=30_000)
    out = nb.run_and_wait(1, "userinfo")
    assert "userinfo 200 signed_in ['access_token', 'expires_at', 'scope', 'token_type']" in out, out


def test_without_the_server_extension_a_named_provider_is_an_error_that_says_what_to_do(
    bare_lab: Lab, context: BrowserContext
) -> None:
    write_notebook(
        Path(bare_lab.root) / "named.ipynb",
        [
            "from ipython_oidc_client import authenticate\ns = authenticate('corp')",
            "print('kernel', s.error.error if s.error else None, '|', s.status)",
        ],
    )
    nb = NotebookPage(context, bare_lab, "named.ipynb")
    nb.run(0)
    text = nb.wait_status("error")
    assert "no ipython-oidc-client extension" in text, text
    assert "kernel no_server_extension | error" in nb.run_and_wait(1, "kernel")


#: A cell that counts this kernel's child processes that run a token keeper (Linux's /proc).
KEEPERS_STARTED_HERE = """import os
def keepers():
    n = 0
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            stat = open(f'/proc/{pid}/stat').read()
            cmdline = open(f'/proc/{pid}/cmdline', 'rb').read()
        except OSError:
            continue  # ended meanwhile
        n += stat.rsplit(')', 1)[1].split()[1] == str(os.getpid()) and b'_keeper' in cmdline
    return n
print('helpers kept', keepers())"""


def test_a_kernel_interrupt_cancels_a_blocking_device_sign_in(
    bare_lab: Lab, device_provider: Provider, context: BrowserContext
) -> None:
    # flow="device" asked for in a notebook: the cell blocks, printing the link; Kernel > Interrupt
    # ends it with KeyboardInterrupt, says so, and leaves no helper process behind.
    config = {"authority": device_provider.issuer, "client_id": DEVICE_CLIENT, "scope": "openid"}
    write_notebook(
        Path(bare_lab.root) / "interrupt.ipynb",
        [
            f"from ipython_oidc_client import authenticate\ns = authenticate({config!r}, flow='device')",
            KEEPERS_STARTED_HERE,
        ],
    )
    nb = NotebookPage(context, bare_lab, "interrupt.ipynb")
    nb.run(0)
    nb.wait_output(0, "To sign in, open")
    nb.page.get_by_role("menuitem", name="Kernel").click()
    nb.page.get_by_text("Interrupt Kernel", exact=True).click()
    out = nb.wait_output(0, "KeyboardInterrupt")
    assert "Sign-in cancelled: nothing was kept" in out, out
    assert "helpers kept 0" in nb.run_and_wait(1, "helpers kept")
