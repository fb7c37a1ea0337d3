"""Step-up without a notebook frontend (RFC 9470, docs/stepup.md): a plain ``python`` process signed in
with the device grant calls an API that refuses its token with ``insufficient_user_authentication``
and ``max_age``; the process says why and prints a new link; once the person signs in again there
(the provider asks for the password when max_age is past), the request is retried once and succeeds. An
API that refuses the new token too: that second 401 is what the caller gets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e._api import StepUpApi as Api
from e2e._stack import Provider
from playwright.sync_api import BrowserContext

from ._drive import LINK, Script, approve_device, script_env


@pytest.fixture(params=[False, True], ids=["then-accepted", "strict"])
def api(request: pytest.FixtureRequest) -> Iterator[Api]:
    served = Api(strict=request.param)
    yield served
    served.stop()


def approve_again(context: BrowserContext, link: str) -> None:
    """The stronger sign-in at the link, as a person does it: the password when the provider asks for
    it (the last sign-in is older than max_age: whole seconds at oidc-provider, checked again on each
    step, so it may ask only after the consent page), Continue where it asks to confirm, until done."""
    page = context.new_page()
    page.goto(link)
    page.click("button[autofocus]")  # "Confirm Device: Continue"
    deadline = time.monotonic() + 40
    done, login = page.get_by_text("Sign-in Success"), page.locator("input[name=login]")
    while not done.count():
        assert time.monotonic() < deadline, "the stronger sign-in did not finish"
        done.or_(login).or_(page.locator("button:has-text('Continue')")).first.wait_for(timeout=20_000)
        if done.count():
            break
        if login.count():
            page.fill("input[name=login]", "alice")
            page.fill("input[name=password]", "any-password")
            with page.expect_navigation():
                page.click("button[type=submit]")
        elif page.locator("button:has-text('Continue')").count():
            with page.expect_navigation():
                page.click("button:has-text('Continue')")


def links(script: Script) -> list[str]:
    return [m.group(1) for m in map(LINK.search, script.out) if m]


def test_an_api_asking_for_a_recent_sign_in_gets_it_by_a_new_link(
    provider: Provider, context: BrowserContext, tmp_path: Path, scripts: list[Script], api: Api
) -> None:
    script = Script.python(tmp_path, script_env(provider, "device", NATIVE_TEST_STEP_UP_API=api.url))
    scripts.append(script)
    approve_device(context, script.link())
    assert script.line("userinfo:").split()[1] == "200"
    # The API's refusal: the reason said, and a second link for the stronger sign-in.
    script.wait_for(lambda: len(links(script)) >= 2, "the step-up's link")
    assert any("The API asks for a stronger sign-in (This API wants a recent sign-in): max_age=1" in line
               for line in script.err), script.err  # fmt: skip
    approve_again(context, links(script)[1])
    status, history = script.line("step-up:").split()[1:]
    if api.strict:
        assert (status, history) == ("401", "1")  # retried once, then the second 401 as it came
        assert len(links(script)) == 2, "a second refusal started another sign-in"
    else:
        assert (status, history) == ("200", "1")
    assert script.wait() == 0
