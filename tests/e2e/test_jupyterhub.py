"""JupyterHub: two users sign in with the administrator's provider, named (`authenticate("hub-idp")`),
through the one redirect URI registered at the provider, `{hub}/hub/user-redirect/oidc/redirect.html`,
each into their own kernel, each with a token keeper of their own server's (one user's sessions are
unknown to the other's); the state-changing endpoint keeps the XSRF check that JupyterHub ≥ 4.1
relies on."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from ._hub import Hub, start_hub
from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, start_provider, write_notebook, write_registry

CLIENT = "hub-notebooks"
PROVIDER = "hub-idp"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    running = start_hub(tmp_path_factory.mktemp("hub"))
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture(scope="module")
def hub_provider(tmp_path_factory: pytest.TempPathFactory, hub: Hub) -> Iterator[Provider]:
    # Exactly one registered redirect URI, for every user of the hub.
    idp = start_provider(
        tmp_path_factory.mktemp("hub-provider"),
        [{"client_id": CLIENT, "redirect_uris": [hub.user_redirect_uri()]}],
    )
    # What the admin puts on every single-user server's config path; read when each one starts.
    entry = {"authority": idp.issuer, "client_id": CLIENT, "scope": "openid profile"}
    write_registry(hub.config_dir, {"providers": {PROVIDER: entry}})
    try:
        yield idp
    finally:
        idp.server.stop()


def _log_in(context: BrowserContext, hub: Hub, user: str) -> Lab:
    page = context.new_page()
    page.goto(f"{hub.url}hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", "any-password")
    page.click("#login_submit")
    page.wait_for_url(f"{hub.url}user/{user}/**", timeout=90_000)  # the server was spawned
    page.close()
    return Lab(hub.server, f"{hub.url}user/{user}/", "", hub.home(user))


def test_two_users_sign_in_through_one_registered_redirect_uri_each_with_their_own_keeper(
    hub: Hub, hub_provider: Provider, browser: Browser
) -> None:
    seen: dict[str, tuple[str, str]] = {}  # user -> (their keeper's socket, their session's id)
    for user in ("alice", "bob"):
        context = browser.new_context()
        try:
            name = f"hub-{uuid.uuid4().hex[:8]}.ipynb"
            write_notebook(
                hub.home(user) / name,
                [
                    "from ipython_oidc_client import authenticate\ntoken = {}\n"
                    f"s = authenticate({PROVIDER!r}, token)",
                    "import os, requests\nawait s\n"
                    f"r = requests.get('{hub_provider.issuer}/me', "
                    "headers={'Authorization': 'Bearer ' + token['access_token']}, timeout=10)\n"
                    "print('userinfo', r.status_code, r.json()['sub'])\n"
                    "print('keeper', os.environ['IPYTHON_OIDC_CLIENT_KEEPER'], s.session_id)",
                ],
            )
            lab = _log_in(context, hub, user)
            nb = NotebookPage(context, lab, name)
            with nb.page.expect_popup() as popup_info:
                nb.run(0)
            sign_in(popup_info.value, f"{user}-at-idp")
            nb.wait_status("signed_in")
            out = nb.run_and_wait(1, f"userinfo 200 {user}-at-idp")
            socket, session = out.split("keeper ")[1].split()[:2]
            seen[user] = (socket, session)
            for other, (_, theirs) in seen.items():
                # Asked of this user's server, the other user's session does not exist.
                status = nb.page.evaluate(
                    """async (url) => {
                      const m = document.cookie.match(/_xsrf=([^;]+)/);
                      const xsrf = decodeURIComponent(m ? m[1] : "");
                      return (await fetch(url, {headers: {"X-XSRFToken": xsrf}})).status;
                    }""",
                    f"{lab.url}oidc/sessions/{theirs}",
                )
                assert status == (200 if other == user else 404), (user, other, status)
        finally:
            context.close()
    assert seen["alice"][0] != seen["bob"][0], "the two users' servers share a keeper"
    issued = hub_provider.issued()
    log = hub.server.log()
    for entry in issued:
        for secret in entry.values():
            assert secret not in log


def test_the_state_changing_endpoint_checks_xsrf_on_the_hub(hub: Hub, browser: Browser) -> None:
    context = browser.new_context()
    try:
        lab = _log_in(context, hub, "carol")
        page = context.new_page()
        page.goto(f"{lab.url}lab")  # sets the single-user server's _xsrf cookie
        page.wait_for_selector(".jp-Launcher, .jp-NotebookPanel, .jp-DirListing", timeout=60_000)
        url = f"{lab.url}oidc/return-path"
        body = json.dumps({"path": "/user/carol/lab/tree/x.ipynb"})
        headers = {"Content-Type": "application/json"}
        refused = context.request.post(url, data=body, headers=headers)
        assert refused.status == 403, refused.text()
        xsrf = next(c["value"] for c in context.cookies() if c["name"] == "_xsrf" and "carol" in c["path"])
        accepted = context.request.post(url, data=body, headers={**headers, "X-XSRFToken": xsrf})
        assert accepted.status == 204, accepted.text()
    finally:
        context.close()


def test_redirect_mode_on_the_hub(hub: Hub, hub_provider: Provider, browser: Browser) -> None:
    context = browser.new_context()
    try:
        config = {"authority": hub_provider.issuer, "client_id": CLIENT}  # the hub's URI by default
        name = f"hub-{uuid.uuid4().hex[:8]}.ipynb"
        write_notebook(
            hub.home("dave") / name,
            [
                "from ipython_oidc_client import authenticate\ntoken = {}\n"
                f"s = authenticate({config!r}, token, mode='redirect')",
                "await s\nprint('back', sorted(token))",
            ],
        )
        nb = NotebookPage(context, _log_in(context, hub, "dave"), name)
        nb.redirect_trip(0, hub_provider.issuer, "dave-at-idp")
        nb.run_and_wait(1, "back ['access_token', 'expires_at', 'scope', 'token_type']")
    finally:
        context.close()
