"""The token keeper, end to end (docs/keeper.md): with 20-s access tokens, the kernel's token stays
good through a busy cell and with the tab closed; a reload and a kernel restart get the live session
without a window; a replayed answer is refused; the keeper's end is said by the widget and the kernel."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path

import requests
from jupyter_client import BlockingKernelClient
from playwright.sync_api import BrowserContext, Page, expect

from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, unique, write_notebook
from .conftest import SHORT_LIVED

BASE = "/user/alice/"
CLIENT = SHORT_LIVED
CALLS = (
    "ok, failed, seen = 0, [], set()\n"
    "for i in range(35):\n"
    "    r = requests.get(ME, auth=token, timeout=5)\n"
    "    if r.status_code == 200: ok += 1\n"
    "    else: failed.append((i, r.status_code))\n"
    "    seen.add(hashlib.sha256(token['access_token'].encode()).hexdigest())\n"
    "    time.sleep(2)\n"
    "print('calls', ok, 'failed', failed, 'tokens', len(seen))"
)


def _open(
    context: BrowserContext, lab: Lab, provider: Provider, cells: list[str]
) -> tuple[NotebookPage, str]:
    config = unique({"authority": provider.issuer, "client_id": CLIENT, "scope": "openid profile"})
    name = f"keeper-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(
        lab.root / name,
        [
            "import hashlib, time, requests\nfrom ipython_oidc_client import Token, authenticate\n"
            f"ME = '{provider.issuer}/me'\ntoken = Token()\ns = authenticate({config!r}, token)",
            *cells,
        ],
    )
    return NotebookPage(context, lab, name), name


def _sign_in(nb: NotebookPage, remembered: bool = False) -> None:
    """Run the first cell and sign in; ``remembered``: the provider knows the user and this client
    already, so its window closes by itself."""
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    if not remembered:
        sign_in(popup_info.value)
    assert "renewed automatically" in nb.wait_status("signed_in")


def _refreshes(provider: Provider, after: int) -> int:
    return sum(1 for e in provider.issued()[after:] if e.get("grant_type") == "refresh_token")


def _kernel_client(lab: Lab, name: str) -> BlockingKernelClient:
    """A client of the notebook's own kernel, as another Jupyter client would be (the tab is closed)."""
    sessions = requests.get(
        f"{lab.url}api/sessions", headers={"Authorization": f"token {lab.token}"}, timeout=10
    )
    kernel = next(s["kernel"]["id"] for s in sessions.json() if s["path"].endswith(name))
    found = list((lab.root.parent / "home").rglob(f"kernel-{kernel}.json"))
    assert found, f"no connection file for kernel {kernel}"
    client = BlockingKernelClient(connection_file=str(found[0]))
    client.load_connection_file()
    client.start_channels()
    client.wait_for_ready(timeout=30)
    return client


def _run(client: BlockingKernelClient, code: str) -> str:
    out: list[str] = []

    def keep(msg: dict[str, object]) -> None:
        content = msg.get("content")
        if msg.get("msg_type") == "stream" and isinstance(content, dict):
            out.append(str(content.get("text", "")))

    reply = client.execute_interactive(code, timeout=30, output_hook=keep)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


def test_a_busy_cell_and_a_closed_tab_each_keep_a_good_token_for_70_seconds(
    labs: dict[str, Lab], short_provider: Provider, context: BrowserContext
) -> None:
    """Two sessions at once, 20-s tokens, a call every 2 s for 70 s. One notebook runs one cell, a
    synchronous loop, which widget messages cannot reach while it runs: the keeper's thread does. The
    other's tab is closed right after sign-in (a laptop shut), and its kernel goes on in separate
    cells, run by another Jupyter client: renewal needs no page."""
    lab = labs[BASE]
    closed, name = _open(context, lab, short_provider, [])
    _sign_in(closed)
    client = _kernel_client(lab, name)
    try:
        closed.page.close()
        closed_at = len(short_provider.issued())
        busy, _ = _open(context, lab, short_provider, ["await s\n" + CALLS])
        _sign_in(busy, remembered=True)
        busy.run(1)
        results = []
        call = (
            "print(requests.get(ME, auth=token, timeout=5).status_code,\n"
            "      hashlib.sha256(token['access_token'].encode()).hexdigest()[:12])"
        )
        for _ in range(35):
            results.append(_run(client, call).split())
            time.sleep(2)  # the user's pace between cells, not a synchronisation
        assert [status for status, _ in results] == ["200"] * 35, results
        assert len({seen for _, seen in results}) >= 4, "the closed tab's kernel got too few renewed tokens"
        out = busy.wait_output(1, "calls", timeout=60_000)
        assert "calls 35 failed []" in out, out
        assert int(out.split("tokens")[1].split()[0]) >= 4, out  # renewed at half-life: one every ~10 s
        assert _refreshes(short_provider, closed_at) >= 8, "the provider saw too few refresh grants"
    finally:
        client.stop_channels()


def test_a_reload_and_a_kernel_restart_get_the_token_without_a_window(
    labs: dict[str, Lab], short_provider: Provider, context: BrowserContext
) -> None:
    nb, name = _open(
        context,
        labs[BASE],
        short_provider,
        ["await s\nprint('me', requests.get(ME, auth=token, timeout=5).status_code)"],
    )
    _sign_in(nb)
    popups: list[Page] = []
    nb.page.on("popup", lambda p: popups.append(p))
    # The widget's output survives a reload only if the notebook was saved (README: redirect mode).
    nb.save()
    deadline = time.monotonic() + 20
    while "application/vnd.jupyter.widget-view+json" not in (labs[BASE].root / name).read_text():
        assert time.monotonic() < deadline, "the notebook was not saved"
        time.sleep(0.05)  # polling a file with a deadline
    nb.kernel_ready = False
    nb.page.reload()
    nb.wait_kernel_ready()
    text = nb.wait_status("signed_in")
    assert "Signed in as Alice Example" in text, text
    assert "me 200" in nb.run_and_wait(1, "me")
    nb.restart_kernel()
    nb.run(0)
    nb.wait_status("signed_in")
    assert "me 200" in nb.run_and_wait(1, "me")
    assert popups == [], "a window opened although the server's keeper held a live session"


def test_a_replayed_answer_is_refused_and_nothing_is_kept(
    labs: dict[str, Lab], short_provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    nb, _ = _open(context, lab, short_provider, [])
    redeemed: list[str] = []
    # The callback page, in the sign-in window, hands the answer to the keeper: watch the whole context.
    context.on(
        "request", lambda r: redeemed.append(r.post_data or "") if r.url.endswith("oidc/redeem") else None
    )
    _sign_in(nb)
    assert len(redeemed) == 1
    before = len(short_provider.issued())
    replay = nb.page.evaluate(
        """async (body) => {
          const xsrf = decodeURIComponent((document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || "");
          const r = await fetch(location.pathname.split("lab/")[0] + "oidc/redeem", {method: "POST",
            headers: {"X-XSRFToken": xsrf, "Content-Type": "application/json"}, body});
          return [r.status, await r.json()];
        }""",
        redeemed[0],
    )
    assert replay[0] == 400 and replay[1]["error"] == "state_mismatch", replay
    assert len(short_provider.issued()) == before, "the replayed code reached the provider"


def _keeper_pid(lab: Lab) -> int:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            status = (proc / "status").read_text()
        except OSError:
            continue
        if b"ipython_oidc_client._keeper" in cmdline and b"--socket" in cmdline:
            parent = int(next(line for line in status.splitlines() if line.startswith("PPid:")).split()[1])
            if parent == lab.server.proc.pid:
                return int(proc.name)
    raise AssertionError("no keeper process of this lab")


def test_a_stopped_keeper_is_said_and_the_token_expires_at_its_time(
    labs: dict[str, Lab], short_provider: Provider, context: BrowserContext
) -> None:
    lab = labs[BASE]
    wait_expiry = (
        "while 'access_token' in token or not token.expired:\n    time.sleep(0.2)\n"  # bounded: 20-s tokens
        "print('kernel', s.error.error if s.error else None, 'expired', token.expired,\n"
        "      'access_token' in token)"
    )
    nb, _ = _open(context, lab, short_provider, [wait_expiry])
    _sign_in(nb)
    os.kill(_keeper_pid(lab), signal.SIGKILL)
    text = nb.wait_status("error", timeout=40_000)
    assert "token keeper stopped" in text, text
    assert nb.widget().locator("button", has_text="Sign in").is_visible()
    out = nb.run_and_wait(1, "kernel", timeout=40_000)
    assert "kernel unknown_session expired True False" in out, out
    # The next sign-in starts a new keeper, and works.
    with nb.page.expect_popup() as popup_info:
        nb.widget().locator("button", has_text="Sign in").click()
    popup_info.value.wait_for_event("close", timeout=20_000)  # the provider remembers the user
    nb.wait_status("signed_in")


def test_the_provider_answers_no_cors_and_nothing_needed_it(
    short_provider: Provider, labs: dict[str, Lab]
) -> None:
    origin = labs[BASE].url.split("/user/")[0]
    discovery = requests.get(
        f"{short_provider.issuer}/.well-known/openid-configuration", headers={"Origin": origin}, timeout=5
    )
    token = requests.post(
        f"{short_provider.issuer}/token", data={"grant_type": "x"}, headers={"Origin": origin}, timeout=5
    )
    assert "access-control-allow-origin" not in {k.lower() for k in discovery.headers}
    assert "access-control-allow-origin" not in {k.lower() for k in token.headers}
    assert json.loads(discovery.text)["issuer"] == short_provider.issuer


def test_a_kernel_that_cannot_reach_the_keeper_gets_its_tokens_through_the_page(
    labs: dict[str, Lab], short_provider: Provider, context: BrowserContext
) -> None:
    """A kernel on another machine (here: one whose environment names no keeper) answers `attached`
    with `page`; the page relays each renewed access token, between cells, and says so."""
    lab = labs[BASE]
    spec = lab.root.parent / "home" / ".local" / "share" / "jupyter" / "kernels" / "elsewhere"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python (elsewhere)",
                "language": "python",
                "env": {"IPYTHON_OIDC_CLIENT_KEEPER": ""},
            }
        )
    )
    watch = (
        "import asyncio\nawait s\nfirst = hashlib.sha256(token['access_token'].encode()).hexdigest()\n"
        "for _ in range(300):\n"  # 30 s, bounded: 20-s tokens are renewed at half-life
        "    if hashlib.sha256(token['access_token'].encode()).hexdigest() != first: break\n"
        "    await asyncio.sleep(0.1)\n"
        "r = requests.get(ME, auth=token, timeout=5)\n"
        "print('via', s.via, 'renewed', hashlib.sha256(token['access_token'].encode()).hexdigest() != first,"
        " r.status_code)"
    )
    nb_name = f"keeper-elsewhere-{uuid.uuid4().hex[:8]}.ipynb"
    config = unique({"authority": short_provider.issuer, "client_id": CLIENT, "scope": "openid profile"})
    write_notebook(
        lab.root / nb_name,
        [
            "import hashlib, requests\nfrom ipython_oidc_client import Token, authenticate\n"
            f"ME = '{short_provider.issuer}/me'\ntoken = Token()\ns = authenticate({config!r}, token)",
            watch,
        ],
    )
    notebook = json.loads((lab.root / nb_name).read_text())
    notebook["metadata"]["kernelspec"] = {
        "display_name": "Python (elsewhere)",
        "language": "python",
        "name": "elsewhere",
    }
    (lab.root / nb_name).write_text(json.dumps(notebook))
    nb = NotebookPage(context, lab, nb_name)
    _sign_in_said(nb, "gets each new token through this page")
    out = nb.run_and_wait(1, "via", timeout=60_000)
    assert "via page renewed True 200" in out, out


def _sign_in_said(nb: NotebookPage, words: str) -> None:
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    sign_in(popup_info.value)
    expect(nb.widget()).to_contain_text(words, timeout=30_000)
