"""When the browser refuses a popup that no click opened, the widget offers a Sign in button
that opens it, and sign-in completes from there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect, sync_playwright

from ._page import NotebookPage, sign_in
from ._stack import CHROMIUM, CHROMIUM_ARGS, Lab, Provider, unique, write_notebook
from .conftest import CLIENT_ID


@pytest.fixture
def blocking_context() -> Iterator[BrowserContext]:
    # Playwright turns Chromium's popup blocker off by default; this browser keeps it on.
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            ignore_default_args=["--disable-popup-blocking"],
        )
        context = browser.new_context()
        try:
            yield context
        finally:
            context.close()
            browser.close()


def test_blocked_popup_offers_a_sign_in_button_that_works(
    labs: dict[str, Lab], provider: Provider, blocking_context: BrowserContext
) -> None:
    lab = labs["/user/alice/"]
    name = f"blocked-{uuid.uuid4().hex[:8]}.ipynb"
    config = unique({"authority": provider.issuer, "client_id": CLIENT_ID})
    # A cell that works for 6 s before it signs in: by then Chromium's transient user activation
    # from Shift+Enter (5 s) has expired, so the widget's own window.open is refused.
    write_notebook(
        lab.root / name,
        [
            "import asyncio\nfrom ipython_oidc_client import authenticate\ntoken = {}\n"
            f"await asyncio.sleep(6)\ns = authenticate({config!r}, token)",
            "print('kernel-status', s.status, sorted(token))",
        ],
    )
    nb = NotebookPage(blocking_context, lab, name)
    nb.run(0)
    nb.wait_sent_to_kernel('"needs_click"')
    text = nb.wait_status("needs_click", timeout=5_000)
    assert "blocked the sign-in window" in text, text
    button = nb.widget().locator("button", has_text="Sign in").first
    expect(button).to_have_text("Sign in")
    # …and the full-page way, which needs no popup at all.
    expect(nb.widget().locator("button", has_text="Sign in in this tab")).to_be_visible()
    with nb.page.expect_popup() as popup_info:
        button.click()
    sign_in(popup_info.value)
    nb.wait_status("signed_in")
    nb.run_and_wait(1, "kernel-status signed_in ['access_token', 'expires_at', 'scope', 'token_type']")
