"""Failures are visible in the widget and in the kernel, and bounded: nothing spins forever."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _hanging_up_after(delay: float) -> Iterator[str]:
    """A provider that accepts connections and hangs up after `delay` seconds without answering."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        held: list[tuple[float, socket.socket]] = []
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append((time.monotonic() + delay, conn))
            except TimeoutError:
                pass
            for entry in [e for e in held if e[0] <= time.monotonic()]:
                entry[1].close()
                held.remove(entry)
        for _, conn in held:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_unreachable_provider_is_shown_and_no_window_stays_open(
    labs: dict[str, Lab], context: BrowserContext
) -> None:
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    nb = _open(context, labs[BASE], {"authority": down, "client_id": CLIENT_ID})
    # The refusal usually comes back before a window is worth opening; when the server was slower
    # (a keeper starting), the blank window it opened is closed, never sent anywhere.
    popups: list[Page] = []
    nb.page.on("popup", lambda popup: popups.append(popup))
    nb.run(0)
    text = nb.wait_status("error", timeout=20_000)
    assert "Could not reach the identity provider" in text and down in text, text
    for popup in popups:
        _wait_closed(popup)
        assert popup.url in ("about:blank", ""), popup.url
    nb.run_and_wait(1, "kernel-error provider_unreachable error")


def test_slowly_failing_provider_closes_the_blank_window(
    labs: dict[str, Lab], context: BrowserContext
) -> None:
    with _hanging_up_after(1.0) as down:
        nb = _open(context, labs[BASE], {"authority": down, "client_id": CLIENT_ID})
        # The server takes longer than a moment, so the window opens blank within the click's
        # activation; discovery then fails, and the window is closed without going anywhere.
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
