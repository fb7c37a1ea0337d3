"""Drive a notebook in JupyterLab 4 through Playwright, waiting on conditions with deadlines."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Locator, Page, WebSocket, expect

from ._stack import Lab

KERNEL_IDLE = '.jp-Notebook-ExecutionIndicator[data-status="idle"]'
KERNEL_CONNECTED = "#jp-main-statusbar >> text=/\\| Idle/"


class NotebookPage:
    def __init__(self, context: BrowserContext, lab: Lab, name: str) -> None:
        self.page: Page = context.new_page()
        self.lab = lab
        self.errors: list[str] = []
        self.websockets: list[WebSocket] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("websocket", lambda ws: self.websockets.append(ws))
        # ?reset: the servers live for the whole session, and JupyterLab would otherwise restore the
        # workspace of the previous test, notebook tabs included.
        self.page.goto(f"{lab.url}lab/tree/{name}?reset&token={lab.token}")
        # Shift+Enter before the kernel is ready is silently dropped (design.md §6).
        self.page.wait_for_selector(KERNEL_IDLE, timeout=60_000)
        # The indicator turns idle before the kernel's connection is up; the status bar waits for it.
        self.page.locator(KERNEL_CONNECTED).wait_for(timeout=60_000)

    def cell(self, index: int) -> Locator:
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)

    def run(self, index: int) -> None:
        """Run one cell, as a person would: click into it, press Shift+Enter."""
        self.cell(index).locator(".jp-InputArea-editor").click()
        self.page.keyboard.press("Shift+Enter")

    def output(self, index: int) -> Locator:
        return self.cell(index).locator(".jp-OutputArea-output")

    def run_and_wait(self, index: int, text: str, timeout: float = 30_000) -> str:
        self.run(index)
        expect(self.output(index).last).to_contain_text(text, timeout=timeout)
        return self.output(index).all_inner_texts().__str__()

    def widget(self, index: int = 0) -> Locator:
        return self.cell(index).locator(".ipython-oidc-client")

    def wait_status(self, status: str, index: int = 0, timeout: float = 30_000) -> str:
        widget = self.widget(index)
        expect(widget).to_have_attribute("data-status", status, timeout=timeout)
        return widget.inner_text()

    def wait_sent_to_kernel(self, marker: str, timeout: float = 30_000) -> None:
        """Wait until the page sends the kernel a message containing ``marker``.

        Unlike a locator, this watches the kernel's websocket from outside the page: Playwright's
        in-page polling counts as a user gesture and would let a popup through.
        """
        kernel = [ws for ws in self.websockets if "/api/kernels/" in ws.url][-1]

        def has_marker(payload: str | bytes) -> bool:
            return marker.encode() in (payload if isinstance(payload, bytes) else payload.encode())

        kernel.wait_for_event("framesent", predicate=has_marker, timeout=timeout)

    def storage(self) -> str:
        """Everything in web storage and the cookies this page's scripts can read."""
        return str(
            self.page.evaluate(
                "() => JSON.stringify({session: {...sessionStorage}, local: {...localStorage},"
                " cookie: document.cookie})"
            )
        )

    def save(self) -> None:
        self.page.keyboard.press("Control+s")


def sign_in(popup: Page, login: str = "alice") -> None:
    """Sign in through oidc-provider's own login and consent forms."""
    popup.wait_for_selector("input[name=login]", timeout=20_000)
    popup.fill("input[name=login]", login)
    popup.fill("input[name=password]", "any-password")
    popup.click("button[type=submit]")
    popup.click("button:has-text('Continue')", timeout=20_000)
