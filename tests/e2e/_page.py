"""Drive a notebook in JupyterLab 4, Notebook 7 or the classic notebook through Playwright,
waiting on conditions with deadlines."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Locator, Page, WebSocket, expect

from ._stack import Lab

# Per frontend: the notebook's URL, its cells, a cell's editor and outputs, "kernel idle".
# JupyterLab keeps other tabs' notebooks in the DOM, hidden: look in the current one only.
_LAB = {
    "cell": ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell",
    "editor": ".jp-InputArea-editor",
    "output": ".jp-OutputArea-output",
    "idle": '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status="idle"]',
}
FRONTENDS = {
    "lab": {**_LAB, "url": "lab/tree/{name}?reset&token={token}"},
    "notebook": {**_LAB, "url": "notebooks/{name}?token={token}"},
    "classic": {
        "url": "nbclassic/notebooks/{name}?token={token}",
        "cell": "#notebook-container .cell",
        "editor": ".input_area .CodeMirror",
        "output": ".output_subarea",
        "idle": "#kernel_indicator_icon.kernel_idle_icon",
    },
}
# notebook 6 (`notebook<7`): the classic UI at /notebooks/.
FRONTENDS["notebook6"] = {**FRONTENDS["classic"], "url": "notebooks/{name}?token={token}"}


def _has(marker: bytes) -> Callable[[str | bytes], bool]:
    def check(payload: str | bytes) -> bool:
        return marker in (payload if isinstance(payload, bytes) else payload.encode())

    return check


class NotebookPage:
    """A notebook open in JupyterLab 4 (``frontend="lab"``), Notebook 7 (``"notebook"``) or the
    classic notebook (``"classic"``, nbclassic)."""

    def __init__(self, context: BrowserContext, lab: Lab, name: str, frontend: str = "lab") -> None:
        self.page: Page = context.new_page()
        self.lab = lab
        self.frontend = frontend
        self.errors: list[str] = []
        self.websockets: list[WebSocket] = []
        #: Every frame the page sent to a kernel, in order (the tests look for markers in them).
        self.sent_to_kernel: list[str | bytes] = []
        self.kernel_ready = False
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("websocket", self._watch)
        self.ui = FRONTENDS[frontend]
        # JupyterLab's ?reset: the servers live for the whole session, and JupyterLab would
        # otherwise restore the workspace of the previous test, notebook tabs included.
        url = lab.url + self.ui["url"].format(name=name, token=lab.token)
        # Behind JupyterHub the browser is logged in by the hub's cookies: no token in the URL.
        self.page.goto(url if lab.token else url.replace("&token=", "").replace("?token=", ""))
        self.wait_kernel_ready()

    def _watch(self, ws: WebSocket) -> None:
        self.websockets.append(ws)
        if "/api/kernels/" in ws.url:
            ws.on("framesent", lambda payload: self.sent_to_kernel.append(payload))
            seen = _has(b"kernel_info_reply")
            ws.on(
                "framereceived",
                lambda payload: setattr(self, "kernel_ready", self.kernel_ready or seen(payload)),
            )

    def wait_kernel_ready(self, timeout: float = 60.0) -> None:
        """Shift+Enter before the kernel is ready is silently dropped (docs/architecture.md); the frontend
        is ready once it has the kernel's kernel_info_reply on its websocket."""
        deadline = time.monotonic() + timeout
        while not self.kernel_ready:
            assert time.monotonic() < deadline, "the kernel did not become ready"
            self.page.wait_for_timeout(50)  # lets Playwright deliver the websocket events
        self.page.wait_for_selector(self.ui["idle"], timeout=timeout * 1000)

    def cell(self, index: int) -> Locator:
        return self.page.locator(self.ui["cell"]).nth(index)

    def open_in_same_page(self, name: str) -> None:
        """Open another notebook in this JupyterLab tab, from the file browser, as a person would."""
        self.page.locator(".jp-DirListing-item", has_text=name).dblclick()
        self.kernel_ready = False
        expect(self.page.locator(".lm-TabBar-tab.lm-mod-current", has_text=name)).to_be_visible()
        self.wait_kernel_ready()

    def run(self, index: int) -> None:
        """Run one cell, as a person would: click into it, press Shift+Enter."""
        self.cell(index).locator(self.ui["editor"]).click()
        self.page.keyboard.press("Shift+Enter")

    def restart_kernel(self) -> None:
        self.page.get_by_role("menuitem", name="Kernel").click()
        self.page.get_by_text("Restart Kernel…", exact=True).click()
        # JupyterLab connects anew to the restarted kernel and asks it for kernel_info.
        self.kernel_ready = False
        self.page.click(".jp-Dialog button.jp-mod-accept")
        self.wait_kernel_ready()

    def output(self, index: int) -> Locator:
        return self.cell(index).locator(self.ui["output"])

    def wait_output(self, index: int, text: str, timeout: float = 30_000) -> str:
        expect(self.output(index).last).to_contain_text(text, timeout=timeout)
        return "\n".join(self.output(index).all_inner_texts())

    def run_and_wait(self, index: int, text: str, timeout: float = 30_000) -> str:
        self.run(index)
        return self.wait_output(index, text, timeout)

    def widget(self, index: int = 0) -> Locator:
        return self.cell(index).locator(".ipython-oidc-client")

    def wait_status(self, status: str, index: int = 0, timeout: float = 30_000) -> str:
        widget = self.widget(index)
        expect(widget).to_have_attribute("data-status", status, timeout=timeout)
        return widget.inner_text()

    def redirect_trip(
        self, index: int, issuer: str, login: str, at_provider: Callable[[], None] | None = None
    ) -> None:
        """Run cell ``index`` in redirect mode: the tab goes to the provider, signs in there and
        comes back to this notebook, whose kernel is then ready again."""
        self.page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?"
        notebook_url = self.page.url.split("?")[0]
        self.kernel_ready = False
        self.run(index)
        self.page.wait_for_url(f"{issuer}/**", timeout=20_000)
        if at_provider:
            at_provider()
        sign_in(self.page, login)
        self.page.wait_for_url(f"{notebook_url}*", timeout=30_000)
        self.wait_kernel_ready()

    def wait_sent_to_kernel(self, marker: str, timeout: float = 30_000) -> None:
        """Wait until the page has sent the kernel a message containing ``marker`` (already sent
        counts too).

        Unlike a locator, this watches the kernel's websocket from outside the page: Playwright's
        in-page polling counts as a user gesture and would let a popup through.
        """
        found = _has(marker.encode())
        deadline = time.monotonic() + timeout / 1000
        while not any(found(frame) for frame in self.sent_to_kernel):
            assert time.monotonic() < deadline, f"the page sent the kernel no {marker!r}"
            self.page.wait_for_timeout(50)  # lets Playwright deliver the websocket events

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


def approve_device(context: BrowserContext, link: str, login: str = "alice", abort: bool = False) -> None:
    """What the user does with the printed link: confirm the code (or abort), log in, consent."""
    page = context.new_page()
    page.goto(link)
    if abort:
        page.click("button[name=abort]")
        page.wait_for_selector("text=interrupted", timeout=20_000)
        return
    page.click("button[autofocus]")  # "Confirm Device: Continue"
    sign_in(page, login)
    page.wait_for_selector("text=Sign-in Success", timeout=20_000)
