"""With 20-second access tokens: the kernel's token stays valid by renewal; a failed renewal is
said, and an expired token refuses to be used; without refresh tokens, one click renews."""

from __future__ import annotations

import uuid

import requests
from playwright.sync_api import BrowserContext, Page

from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, unique, write_notebook
from .conftest import NO_REFRESH, SHORT_LIVED

BASE = "/user/alice/"
CLIENT = SHORT_LIVED


def _open(
    context: BrowserContext, lab: Lab, provider: Provider, client: str, cells: list[str]
) -> NotebookPage:
    config = unique({"authority": provider.issuer, "client_id": client})
    name = f"renew-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(
        lab.root / name,
        [
            "import asyncio, hashlib, requests\nfrom ipython_oidc_client import Token, authenticate\n"
            f"ME = '{provider.issuer}/me'\ntoken = Token()\ns = authenticate({config!r}, token)",
            *cells,
        ],
    )
    return NotebookPage(context, lab, name)


def _sign_in(nb: NotebookPage) -> None:
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    sign_in(popup_info.value)


def test_token_stays_valid_for_70_seconds_of_calls_every_2_seconds(
    labs: dict[str, Lab], short_provider: Provider, context: BrowserContext
) -> None:
    calls = (
        "await s\nok, failed, seen = 0, [], set()\n"
        "for i in range(35):\n"
        "    r = requests.get(ME, auth=token, timeout=5)\n"
        "    if r.status_code == 200: ok += 1\n"
        "    else: failed.append((i, r.status_code))\n"
        "    seen.add(hashlib.sha256(token['access_token'].encode()).hexdigest())\n"
        "    await asyncio.sleep(2)\n"
        "print('calls', ok, 'failed', failed, 'tokens', len(seen))"
    )
    nb = _open(context, labs[BASE], short_provider, CLIENT, [calls])
    _sign_in(nb)
    assert "renewed automatically" in nb.wait_status("signed_in")
    out = nb.run_and_wait(1, "calls", timeout=120_000)
    assert "calls 35 failed []" in out, out
    # 20 s tokens renewed at half-life over 70 s: at least five different access tokens.
    tokens = int(out.split("tokens")[1].split()[0])
    assert tokens >= 5, out


def test_failed_renewal_is_said_and_the_expired_token_refuses_to_be_used(
    labs: dict[str, Lab], short_provider: Provider, context: BrowserContext
) -> None:
    use_after_expiry = (
        "while not token.expired:\n    await asyncio.sleep(0.2)\n"  # bounded by the 20 s lifetime
        "print('kernel-error', s.error.error if s.error else None)\n"
        "try:\n    requests.get(ME, auth=token, timeout=5)\n"
        "except Exception as e:\n    print('refused', type(e).__name__, e)"
    )
    nb = _open(context, labs[BASE], short_provider, CLIENT, [use_after_expiry])
    before = len(short_provider.issued())
    _sign_in(nb)
    nb.wait_status("signed_in")
    refresh = next(e["refresh_token"] for e in short_provider.issued()[before:] if e.get("refresh_token"))
    revoked = requests.post(
        f"{short_provider.issuer}/token/revocation",
        data={"token": refresh, "token_type_hint": "refresh_token", "client_id": CLIENT},
        timeout=10,
    )
    assert revoked.status_code == 200
    text = nb.wait_status("error", timeout=30_000)
    assert "could not be renewed (invalid_grant" in text and "click Sign in" in text, text
    out = nb.run_and_wait(1, "refused", timeout=60_000)
    assert "kernel-error renewal_failed" in out, out
    assert "refused AuthenticationError token_expired: The access token expired at" in out, out
    assert "Run authenticate() again" in out, out


def test_without_refresh_tokens_one_click_renews(
    labs: dict[str, Lab], short_provider: Provider, context: BrowserContext
) -> None:
    report = "await s\nprint('token', hashlib.sha256(token['access_token'].encode()).hexdigest()[:12])"
    nb = _open(context, labs[BASE], short_provider, NO_REFRESH, [report, report])
    _sign_in(nb)
    text = nb.wait_status("renew_needed")
    assert "gives no refresh token: click Renew" in text, text
    first = nb.run_and_wait(1, "token")
    with nb.page.expect_popup() as popup_info:
        nb.widget().locator("button", has_text="Renew").click()
    popup: Page = popup_info.value
    popup.wait_for_event("close", timeout=20_000)  # the provider remembers the user: no form
    nb.wait_status("renew_needed")
    second = nb.run_and_wait(2, "token")
    assert first.split("token")[1] != second.split("token")[1], (first, second)


def test_two_clients_are_renewed_independently(
    labs: dict[str, Lab], short_provider: Provider, context: BrowserContext
) -> None:
    other = unique({"authority": short_provider.issuer, "client_id": NO_REFRESH})
    both = "await s\nb = Token()\nsb = authenticate(" + repr(other) + ", b)"
    watch = (
        "await sb\nfirst_a, first_b = token['access_token'], b['access_token']\n"
        "import time\ndeadline = time.time() + 40\n"
        "while token['access_token'] == first_a and time.time() < deadline:\n"
        "    await asyncio.sleep(0.2)\n"
        "r = requests.get(ME, auth=token, timeout=5)\n"
        "print('renewed-a', token['access_token'] != first_a, r.status_code,"
        " 'b-unchanged', b['access_token'] == first_b, sb.status)"
    )
    nb = _open(context, labs[BASE], short_provider, CLIENT, [both, watch])
    _sign_in(nb)
    nb.wait_status("signed_in")
    with nb.page.expect_popup() as popup_info:
        nb.run(1)
    popup_info.value.click("button:has-text('Continue')", timeout=20_000)  # consent for client b
    nb.wait_status("renew_needed", index=1)
    # Client a renews with its refresh token; client b, which has none, keeps its own token.
    out = nb.run_and_wait(2, "renewed-a", timeout=60_000)
    assert "renewed-a True 200 b-unchanged True renew_needed" in out, out
