"""States that must be honest: after a page reload the widget and the kernel agree (the server's
keeper still holds the session and renews it; Renew renews at once, without a window), and a sign-in
window stuck on the provider's error page (a client_id it does not know) is named, not waited on in
silence."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, expect

from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, unique, write_notebook
from .conftest import CLIENT_ID

BASE = "/user/alice/"
STATUS = "print('kernel-status', s.status, '|', s.message)"


def _open(
    context: BrowserContext, lab: Lab, config: dict[str, Any], timeout: float = 120
) -> tuple[NotebookPage, Path]:
    name = f"honest-{uuid.uuid4().hex[:8]}.ipynb"
    cells = [
        "from ipython_oidc_client import authenticate\ntoken = {}\n"
        f"s = authenticate({config!r}, token, timeout={timeout})",
        STATUS,
        "import hashlib\nprint('token', hashlib.sha256(token['access_token'].encode()).hexdigest()[:12])",
        "print('kernel-error', s.error.error if s.error else None)",
    ]
    write_notebook(lab.root / name, cells)
    return NotebookPage(context, lab, name), lab.root / name


def _saved(path: Path, marker: str) -> None:
    """Wait (with a deadline) until the notebook on disk holds ``marker``."""
    deadline = time.monotonic() + 20
    while marker not in path.read_text():
        assert time.monotonic() < deadline, f"the notebook was not saved with {marker!r}"
        time.sleep(0.05)  # polling a file with a deadline


def test_after_a_reload_the_widget_and_the_kernel_agree_and_renew_needs_no_window(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    config = unique({"authority": provider.issuer, "client_id": CLIENT_ID, "scope": "openid profile"})
    nb, path = _open(context, lab, config)
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    sign_in(popup_info.value, "erin")
    nb.wait_status("signed_in")
    first = nb.run_and_wait(2, "token")
    # The widget's output survives the reload only if the notebook was saved (README: redirect mode).
    nb.save()
    _saved(path, "application/vnd.jupyter.widget-view+json")

    nb.kernel_ready = False
    nb.page.reload()
    nb.wait_kernel_ready()
    text = nb.wait_status("signed_in")
    assert "Signed in as Erin Example" in text and "renewed automatically" in text, text
    out = nb.run_and_wait(1, "kernel-status")
    assert "kernel-status signed_in | Signed in as Erin Example" in out, out

    popups: list[Any] = []
    nb.page.on("popup", lambda p: popups.append(p))
    nb.widget().locator("button", has_text="Renew").click()
    # The keeper renews with the refresh token it holds: a new token in the kernel, no window.
    deadline = time.monotonic() + 20
    while True:
        second = nb.run_and_wait(2, "token")
        if first.split("token")[1] != second.split("token")[1]:
            break
        assert time.monotonic() < deadline, (first, second)
    assert popups == [], "Renew opened a window although the keeper holds a refresh token"
    assert "kernel-status signed_in" in nb.run_and_wait(1, "kernel-status")


def test_an_unknown_client_id_is_named_while_waiting_and_in_the_timeout(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    config = {"authority": provider.issuer, "client_id": "no-such-client"}
    nb, _ = _open(context, lab, config, timeout=15)
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    popup = popup_info.value
    popup.wait_for_selector("text=invalid_client", timeout=20_000)  # the provider's own error page
    widget = nb.widget()
    # Well before the timeout, the widget says what the window is probably showing.
    expect(widget).to_contain_text("Still waiting for the sign-in window", timeout=12_000)
    assert widget.get_attribute("data-status") == "signing_in"
    hint = widget.inner_text()
    assert '"no-such-client": invalid_client' in hint and f"register exactly {lab.redirect_uri()}" in hint, (
        hint
    )
    text = nb.wait_status("error", timeout=20_000)
    assert "did not finish within 15 s" in text and "no-such-client" in text and lab.redirect_uri() in text, (
        text
    )
    assert "kernel-error timeout" in nb.run_and_wait(3, "kernel-error")
