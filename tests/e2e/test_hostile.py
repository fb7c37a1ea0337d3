"""A hostile cell (docs/security.md): code in the kernel can put script into the page. That script
imports every module the extension serves and walks their exports — one URL is one module instance,
shared with the widget — and the page's window, storage and cookies; then it calls every route of the
extension with the server's token, which the kernel can read. No refresh token and no ID token is
anywhere in what it finds."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from playwright.sync_api import BrowserContext

from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, unique, write_notebook
from .conftest import CLIENT_ID

BASE = "/user/alice/"
SCRIPT = Path(__file__).with_name("hostile.js")
STATIC = Path(__file__).resolve().parents[2] / "ipython_oidc_client" / "static"


def test_hostile_cell_finds_no_refresh_or_id_token_in_the_page_or_the_routes(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    config = unique({"authority": provider.issuer, "client_id": CLIENT_ID, "scope": "openid profile"})
    modules = sorted(p.name for p in STATIC.glob("*.js"))
    assert {"widget.js", "loader.js"} <= set(modules), modules
    dump = f"hostile-{uuid.uuid4().hex[:8]}.txt"
    script = (
        SCRIPT.read_text()
        .replace("__MODULES__", json.dumps(modules))
        .replace("__CONFIG__", json.dumps(config))
        .replace("__TOKEN__", lab.token)
        .replace("__DUMP__", dump)
    )
    name = f"hostile-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(
        lab.root / name,
        [
            f"from ipython_oidc_client import authenticate\ns = authenticate({config!r})",
            f"from IPython.display import Javascript, display\ndisplay(Javascript({script!r}))",
        ],
    )
    nb = NotebookPage(context, lab, name)
    before = len(provider.issued())
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    sign_in(popup_info.value, "frank")
    nb.wait_status("signed_in")
    nb.run(1)
    path = lab.root / dump
    # The server writes the file in place: wait for its last line, not for it to exist.
    deadline = time.monotonic() + 60
    while not (path.exists() and path.read_text().endswith("END-OF-DUMP")):
        assert time.monotonic() < deadline, "the hostile script did not finish"
        time.sleep(0.1)  # polling a file with a deadline
    found = path.read_text()
    assert "hostile-walker-reached-depth-two" in found, "the walker did not work"
    assert "import-failed" not in found and "no-session" not in found, found[-2000:]
    assert '"status": "signed_in"' in found or '"status":"signed_in"' in found, "the routes did not answer"
    assert "/renew 200" in found and "/token 200" in found and "/logout 200" in found, "a route refused"
    # Every refresh and ID token issued since the sign-in, the renewal's (the renew route) included.
    issued = provider.issued()[before:]
    secrets = [e[k] for e in issued for k in ("refresh_token", "id_token") if e.get(k)]
    assert len(secrets) >= 3, "the sign-in and the renewal issued fewer tokens than expected"
    assert not [s for s in secrets if s in found], "a refresh or ID token was reachable"
