"""Sign in from a cell in JupyterLab 4 and Notebook 7, against oidc-provider, in Chromium: the
access token (only) reaches the kernel, without re-running the cell."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, unique, write_notebook
from .conftest import CLIENT_ID

# Walks the kernel's globals (and what they hold, a few levels deep) and writes every string found:
# the test then looks for tokens in it without ever putting a token into the notebook.
DUMP_GLOBALS = """
import json as _json
def _strings(obj, depth=0, seen=None):
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 5:
        return
    seen.add(id(obj))
    if isinstance(obj, (str, bytes)):
        yield obj if isinstance(obj, str) else obj.decode("latin-1")
        return
    yield repr(obj)[:2000]
    if isinstance(obj, dict):
        for k, v in list(obj.items()):
            yield from _strings(k, depth + 1, seen)
            yield from _strings(v, depth + 1, seen)
    elif isinstance(obj, (list, tuple, set)):
        for v in list(obj):
            yield from _strings(v, depth + 1, seen)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type) and type(obj).__module__ != "builtins":
        yield from _strings(vars(obj), depth + 1, seen)
        if hasattr(obj, "get_state"):
            yield from _strings(obj.get_state(), depth + 1, seen)
import os as _os
open({path!r} + ".tmp", "w").write(_json.dumps(list(_strings(dict(globals())))))
_os.replace({path!r} + ".tmp", {path!r})  # the test waits for the file: make it appear whole
"""


def _cells(provider: Provider, dump: Path) -> list[str]:
    config = unique({"authority": provider.issuer, "client_id": CLIENT_ID, "scope": "openid profile"})
    return [
        "import time\nfrom ipython_oidc_client import authenticate\ntoken = {}\nt0 = time.time()\n"
        f"s = authenticate({config!r}, token)",
        # The comm message and this cell can arrive on different kernel channels: wait for it.
        "import asyncio, requests\n"
        "for _ in range(200):\n    if 'access_token' in token: break\n    await asyncio.sleep(0.05)\n"
        f"r = requests.get('{provider.issuer}/me', "
        "headers={'Authorization': f\"Bearer {token['access_token']}\"}, timeout=10)\n"
        "print('userinfo', r.status_code, r.json()['sub'])\n"
        "print('keys', sorted(token))\n"
        "print(f'cell-to-token {s.received_at - t0:.3f} s')",
        DUMP_GLOBALS.format(path=str(dump)),
    ]


@pytest.mark.parametrize(
    ("frontend", "base_url"),
    [("lab", "/user/alice/"), ("lab", "/"), ("notebook", "/user/alice/"), ("classic", "/user/alice/")],
)
def test_sign_in_puts_only_the_access_token_in_the_kernel(
    frontend: str,
    base_url: str,
    labs: dict[str, Lab],
    provider: Provider,
    context: BrowserContext,
    tmp_path: Path,
) -> None:
    lab = labs[base_url]
    name = f"signin-{uuid.uuid4().hex[:8]}.ipynb"
    dump = tmp_path / "globals.json"
    write_notebook(lab.root / name, _cells(provider, dump))
    issued_before = len(provider.issued())

    nb = NotebookPage(context, lab, name, frontend)
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    popup = popup_info.value
    # The popup opens at the request the server's keeper made: wait for the provider, and fail if it
    # goes anywhere else or nowhere.
    at_provider = f"{provider.issuer}/"
    popup.wait_for_url(lambda url: url.startswith(at_provider), wait_until="commit", timeout=20_000)
    assert popup.url.startswith(at_provider), popup.url
    sign_in(popup, "alice")
    if not popup.is_closed():  # it may close before the test gets here
        popup.wait_for_event("close", timeout=20_000)
    text = nb.wait_status("signed_in")
    assert re.search(r"Signed in as Alice Example · token valid until \d", text), text

    out = nb.run_and_wait(1, "cell-to-token")
    assert "userinfo 200 alice" in out, out
    assert "keys ['access_token', 'expires_at', 'scope', 'token_type']" in out, out
    print(re.search(r"cell-to-token [\d.]+ s", out).group(0))  # type: ignore[union-attr]

    nb.run(2)
    deadline = time.monotonic() + 20
    while not dump.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    kernel_strings = "\n".join(json.loads(dump.read_text()))

    issued = provider.issued()[issued_before:]
    tokens = next(e for e in issued if "access_token" in e)
    code = next(e["code"] for e in issued if "code" in e)
    refresh, id_token, access = tokens["refresh_token"], tokens["id_token"], tokens["access_token"]
    assert refresh and id_token and access

    # The kernel holds the access token, and nothing else of the sign-in.
    assert access in kernel_strings
    for secret in (refresh, id_token, code):
        assert secret not in kernel_strings

    # The page's web storage and script-readable cookies hold no token at all.
    storage = nb.storage()
    for secret in (refresh, id_token, access, code):
        assert secret not in storage

    # The saved notebook, with widget state saving on, holds none either. (The classic notebook
    # saves widget state only from its Widgets menu; its file is checked all the same.)
    path = lab.root / name
    unsaved = path.read_text()
    nb.save()
    marker = '"execution_count": 1' if frontend == "classic" else "application/vnd.jupyter.widget-state+json"
    deadline = time.monotonic() + 20
    while marker not in path.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    saved = path.read_text()
    assert saved != unsaved and marker in saved, "the notebook (and its widget state) was not saved"
    for secret in (refresh, id_token, access, code):
        assert secret not in saved

    # The server log (at DEBUG level) holds none either.
    log = lab.server.log()
    assert "oidc/redirect.html" in log
    for secret in (refresh, id_token, access, code):
        assert secret not in log
    assert not [e for e in nb.errors if "oidc" in e.lower()], nb.errors
