"""The loopback redirect (RFC 8252) from a plain ``python`` process: ``webbrowser.open`` reaches the
test's Chromium through ``BROWSER`` (a small script that writes the URL to a file the test watches)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from e2e._page import sign_in as fill_login_and_consent
from e2e._stack import Provider
from playwright.sync_api import BrowserContext

from ._drive import Script, script_env

BROWSER_SCRIPT = """\
import sys
from pathlib import Path
Path(sys.argv[1] + ".part").write_text(sys.argv[2])
Path(sys.argv[1] + ".part").rename(sys.argv[1])
"""


def _browser(tmp: Path) -> tuple[str, Path]:
    script = tmp / "browser.py"
    script.write_text(BROWSER_SCRIPT)
    handed = tmp / "opened-url"
    return f"{sys.executable} {script} {handed} %s", handed


def _wait_file(path: Path, script: Script, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert script.proc.poll() is None, f"the script ended: {script.out} {script.err}"
        assert time.monotonic() < deadline, "the browser was never asked to open the sign-in page"
        time.sleep(0.05)  # polling a condition with a deadline
    return path.read_text()


def _sign_in_and_finish(context: BrowserContext, url: str, script: Script) -> None:
    """The user at the provider, in Chromium; the script gets its token and calls userinfo with it."""
    page = context.new_page()
    page.goto(url)
    fill_login_and_consent(page)
    page.wait_for_selector("text=Sign-in received", timeout=20_000)
    assert script.line("userinfo:").split()[1:] == ["200", "alice"]
    assert script.wait() == 0


def test_loopback_signs_in_through_the_system_browser(
    provider: Provider, context: BrowserContext, tmp_path: Path, scripts: list[Script]
) -> None:
    browser, handed = _browser(tmp_path)
    script = Script.python(tmp_path, script_env(provider, "loopback", BROWSER=browser))
    scripts.append(script)
    url = _wait_file(handed, script)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["nonce"]
    redirect = urlsplit(query["redirect_uri"][0])
    assert redirect.hostname == "127.0.0.1" and redirect.port and redirect.path == "/"
    assert any(url in line for line in script.out), "the link is printed too"
    _sign_in_and_finish(context, url, script)
    # One answer, then the listener is closed.
    try:
        requests.get(f"http://127.0.0.1:{redirect.port}/?state=x&code=y", timeout=2)
        closed = False
    except requests.ConnectionError:
        closed = True
    assert closed, "the loopback listener still answers after its one answer"


def test_requests_without_the_sign_ins_state_are_refused_and_the_sign_in_goes_on(
    provider: Provider, context: BrowserContext, tmp_path: Path, scripts: list[Script]
) -> None:
    browser, handed = _browser(tmp_path)
    script = Script.python(tmp_path, script_env(provider, "loopback", BROWSER=browser))
    scripts.append(script)
    url = _wait_file(handed, script)
    redirect_uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
    # Another page (or process) on this machine answers first: without a state, with one of its own,
    # with the state twice, or on another path. Each is refused; none ends the sign-in or frees the port.
    state = parse_qs(urlsplit(url).query)["state"][0]
    for forged in ("?code=forged", "?state=forged&code=forged", f"?state={state}&state=x&code=f", "x?code=f"):
        answer = requests.get(f"{redirect_uri}{forged}", timeout=10)
        assert answer.status_code == 400 and "it was ignored" in answer.text, forged
    assert script.proc.poll() is None and not any(line.startswith("error:") for line in script.out)
    _sign_in_and_finish(context, url, script)
