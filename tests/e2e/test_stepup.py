"""Step-up (RFC 9470), end to end: an API on 127.0.0.1 refuses the token with
``insufficient_user_authentication`` and ``max_age``; the cell's ``requests.get(api, auth=token)``
waits while the widget says why and asks for a click; the person signs in again (the provider asks for
the password: max_age is past); the request is retried once with the new token and succeeds. When
the API refuses the new token too, that second 401 is what the caller gets."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Error, expect

from ._api import StepUpApi as Api
from ._page import NotebookPage, sign_in
from ._stack import Lab, Provider, unique, write_notebook
from .conftest import CLIENT_ID

BASE = "/user/alice/"


@pytest.fixture
def api() -> Iterator[Api]:
    served = Api()
    yield served
    served.stop()


def _step_up(nb: NotebookPage, login: bool) -> None:
    """What the person does: reads why, clicks Sign in, gives the password again if the provider asks
    (``login``: it must; else the provider may find the last sign-in recent enough and ask nothing)."""
    widget = nb.widget()
    expect(widget).to_contain_text("The API asks for a stronger sign-in (This API wants a recent sign-in)")
    expect(widget).to_contain_text("max_age=1")
    with nb.page.expect_popup() as popup_info:
        widget.locator("button[data-action=sign_in]").click()
    popup = popup_info.value
    try:
        # The login form again where the last sign-in is older than max_age; consent was given already.
        popup.wait_for_selector("input[name=login]", timeout=20_000)
    except Error:
        if not popup.is_closed():
            raise
        assert not login, "the provider did not ask for the password again"
        return  # it found the last sign-in recent enough, and the window closed by itself
    popup.fill("input[name=login]", "alice")
    popup.fill("input[name=password]", "any-password")
    popup.click("button[type=submit]")
    if not popup.is_closed():
        popup.wait_for_event("close", timeout=20_000)


def test_an_api_asking_for_a_recent_sign_in_gets_it_and_the_request_is_retried_once(
    labs: dict[str, Lab], provider: Provider, context: BrowserContext, api: Api
) -> None:
    lab = labs[BASE]
    config = unique({"authority": provider.issuer, "client_id": CLIENT_ID, "scope": "openid profile"})
    call = f"r = requests.get({api.url!r}, auth=token, timeout=300)\n"
    name = f"stepup-{uuid.uuid4().hex[:8]}.ipynb"
    write_notebook(
        lab.root / name,
        [
            "from ipython_oidc_client import Token, authenticate\ntoken = Token()\n"
            f"s = authenticate({config!r}, token)",
            f"import requests\n{call}"
            "print('api', r.status_code, [h.status_code for h in r.history], s.widget.config.get('max_age'))",
            f"{call}print('again', r.status_code, [h.status_code for h in r.history])",
        ],
    )
    nb = NotebookPage(context, lab, name)
    with nb.page.expect_popup() as popup_info:
        nb.run(0)
    sign_in(popup_info.value, "alice")
    nb.wait_status("signed_in")
    signed_in_at = time.monotonic()
    # The provider counts whole seconds: a sign-in is past max_age=1 only 2 s after it.
    while time.monotonic() < signed_in_at + 2.5:
        time.sleep(0.1)  # waiting for the clock itself, the condition the test needs

    nb.run(1)  # the cell waits in requests while the widget asks
    _step_up(nb, login=True)
    out = nb.wait_output(1, "api", timeout=60_000)
    assert "api 200 [401] 1" in out, out
    assert len(api.seen) == 2 and api.seen[0] != api.seen[1]  # one retry, with the new token

    api.strict = True  # the API refuses the new token too: the caller gets that second answer
    nb.run(2)
    # A fresh sign-in all the same (never the live session the API refused); the provider may find
    # the last login recent enough and ask nothing.
    _step_up(nb, login=False)
    out = nb.wait_output(2, "again", timeout=60_000)
    assert "again 401 [401]" in out, out
    assert len(api.seen) == 4  # the request and its one retry, no more
