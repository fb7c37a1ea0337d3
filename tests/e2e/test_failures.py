"""Failures are visible in the widget and in the kernel, and bounded: nothing spins forever."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from ._page import NotebookPage
from ._procs import free_port
from ._stack import Lab, Provider, unique, write_notebook
from .conftest import CLIENT_ID

BASE = "/user/alice/"
# Asks the kernel what it knows, without waiting: the page has told it before the widget changed.
REPORT = (
    "import asyncio\n"
    "for _ in range(200):\n    if s.error: break\n    await asyncio.sleep(0.05)\n"
    "print('kernel-error', s.error.error if s.error else None, s.status)"
)


def _open(context: BrowserContext, lab: Lab, config: dict[str, Any], timeout: float = 120) -> NotebookPage:
    name = f"fail-{uuid.uuid4().hex[:8]}.ipynb"
    cells = [
        f"from ipython_oidc_client import authenticate\ntoken = {{}}\n"
        f"s = authenticate({config!r}, token, timeout={timeout})",
        REPORT,
    ]
    write_notebook(lab.root / name, cells)
    return NotebookPage(context, lab, name)


def _wait_closed(popup: Page) -> None:
    """The widget closes the popup it opened when sign-in ends, whatever the outcome."""
    if not popup.is_closed():
        popup.wait_for_event("close", timeout=10_000)


def _start(nb: NotebookPage) -> Page:
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    return popup_info.value


def test_access_denied_is_shown_and_reaches_the_kernel(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    nb = _open(context, labs[BASE], unique({"authority": provider.issuer, "client_id": CLIENT_ID}))
    popup = _start(nb)
    popup.click("a:has-text('Cancel')", timeout=20_000)  # the provider's own "[ Cancel ]" link
    text = nb.wait_status("error")
    assert "access_denied" in text and "End-User aborted interaction" in text, text
    assert "If you cancelled, sign in again" in text, text
    expect(nb.widget().locator("button:visible")).to_have_text("Sign in")
    nb.run_and_wait(1, "kernel-error access_denied error")


def test_unreachable_provider_is_shown_and_the_window_closed(
    labs: dict[str, Lab], context: BrowserContext
) -> None:
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    nb = _open(context, labs[BASE], {"authority": down, "client_id": CLIENT_ID})
    # The window opens within the click's activation while the server's keeper asks for discovery,
    # which fails: it is closed, never sent anywhere, and the widget says why.
    popup = _start(nb)
    text = nb.wait_status("error", timeout=20_000)
    assert "Could not reach the identity provider" in text and down in text, text
    _wait_closed(popup)
    assert popup.url in ("about:blank", ""), popup.url
    nb.run_and_wait(1, "kernel-error provider_unreachable error")


def test_closed_popup_is_shown_and_reaches_the_kernel(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    nb = _open(context, labs[BASE], unique({"authority": provider.issuer, "client_id": CLIENT_ID}))
    popup = _start(nb)
    popup.wait_for_selector("input[name=login]", timeout=20_000)
    popup.close()
    text = nb.wait_status("error", timeout=10_000)
    assert "sign-in window was closed" in text, text
    expect(nb.widget().locator("button:visible")).to_have_text("Sign in")
    nb.run_and_wait(1, "kernel-error popup_closed error")


def test_unregistered_redirect_uri_times_out_with_the_uri_to_register(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    # localhost and 127.0.0.1 are different redirect URIs: the provider keeps the popup on its
    # error page, and only the widget's deadline can end the wait.
    wrong = lab.redirect_uri().replace("127.0.0.1", "localhost")
    config = {"authority": provider.issuer, "client_id": CLIENT_ID, "redirect_uri": wrong}
    nb = _open(context, lab, config, timeout=4)
    popup = _start(nb)
    expect(popup.locator("body")).to_contain_text("redirect_uri", timeout=20_000)
    text = nb.wait_status("error", timeout=20_000)
    assert "did not finish within 4 s" in text and f"register exactly {wrong}" in text, text
    _wait_closed(popup)
    nb.run_and_wait(1, "kernel-error timeout error")
