"""The OpenID Foundation's RP conformance cases (the CASES of tests/e2e/test_conformance.py) against
the keeper's checks (``_native/checks``) on the flows without a notebook frontend: the loopback
redirect (RFC 8252) and, cheaply, the device grant (RFC 8628), both played by the adversarial
provider (tests/e2e/adversary, ``native=True``: loopback redirects on any port, device codes approved
at once). A plain ``python`` process calls ``sign_in()``, which starts the real keeper
(``_keeper --stdio``); its "system browser" is ``BROWSER``: a script that fetches the authorization
URL with plain HTTP and follows the redirect to the loopback listener (the adversary's /authorize
has no login form)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e.adversary import Adversary, start_adversary
from e2e.test_conformance import CASES

from ._drive import ROOT, Script, alive

FLOWS = ("loopback", "device")
#: Cases that test something the flow does not have: skipped, with the reason.
NOT_MEANINGFUL = {
    ("device", "nonce_bad"): "the device grant has no authorization request, so no nonce is sent and "
    "none is checked (RFC 8628 §3.1; Core §3.1.3.7 item 11 applies when one was sent)",
    ("device", "nonce_missing"): "the device grant sends no nonce (RFC 8628 §3.1): none can be missing",
    ("device", "mixup_iss"): "the device grant has no authorization response to carry iss (RFC 9207)",
}

#: The user's process: one sign-in; says the outcome and whether the token works, never the token.
USER = """\
import json, sys
import requests
from ipython_oidc_client import AuthenticationError, Token
from ipython_oidc_client._native import sign_in
config, flow, userinfo = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
token = Token()
try:
    sign_in(config, token, flow=flow, timeout=30, renew=False)
    error = None
except AuthenticationError as err:
    error = err.error
status = requests.get(userinfo, auth=token, timeout=10).status_code if "access_token" in token else None
print("outcome:", json.dumps({"error": error, "token": "access_token" in token, "userinfo": status}))
"""
#: The system browser: records its pid, fetches the URL (no proxy), follows the 302 to the loopback
#: listener, records where it ended without the query (which holds the code).
BROWSER = """\
import os, sys, urllib.request
from pathlib import Path
Path(sys.argv[1] + ".pid").write_text(str(os.getpid()))
try:
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(sys.argv[2], timeout=20) as r:
        outcome = f"{r.status} {r.url.split('?')[0]}"
except Exception as err:
    outcome = type(err).__name__
Path(sys.argv[1] + ".done").write_text(outcome)
"""


@pytest.fixture(scope="module", params=FLOWS)
def adversary(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Adversary]:
    """One adversary per flow: each flow's counts (and its key rotation) start from zero."""
    adv = start_adversary(tmp_path_factory.mktemp(f"adversary-{request.param}"), None, native=True)
    try:
        yield adv
    finally:
        adv.server.stop()
    assert not adv.unclean_log_lines(), "the adversary logged more than methods, paths and statuses"


def _wait(found: Path, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not found.exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # polling a condition with a deadline
    return found.exists()


def _stop_browser(mark: Path) -> None:
    """The browser script (the keeper started it): let it end, else kill it by its recorded pid."""
    pid_file = Path(f"{mark}.pid")
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    cmdline = Path(f"/proc/{pid}/cmdline")
    if alive(pid) and cmdline.exists() and str(mark).encode() in cmdline.read_bytes():
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("case", list(CASES))
def test_case(case: str, adversary: Adversary, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    flow = request.node.callspec.params["adversary"]
    if (flow, case) in NOT_MEANINGFUL:
        pytest.skip(NOT_MEANINGFUL[flow, case])
    spec = CASES[case]
    (tmp_path / "user.py").write_text(USER)
    (tmp_path / "browser.py").write_text(BROWSER)
    mark = tmp_path / "browser"
    # The trailing "&": webbrowser starts it in the background (the listener serves after open()).
    browser = shlex.join([sys.executable, str(tmp_path / "browser.py"), str(mark)]) + " %s &"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BROWSER": browser}
    env.pop("IPYTHON_OIDC_CLIENT_KEEPER", None)
    argv = [
        sys.executable,
        str(tmp_path / "user.py"),
        json.dumps(adversary.config(case)),
        flow,
        f"{adversary.issuer(case)}/userinfo",
    ]
    script = Script(argv, env, tmp_path)
    try:
        outcome = json.loads(script.line("outcome:", timeout=45).split(" ", 1)[1])
        assert script.wait() == 0, script.err
        stats = adversary.stats(case)
        if spec.code is None:
            assert outcome == {"error": None, "token": True, "userinfo": 200}, (outcome, script.err)
            assert stats.get("userinfo") == 1, stats  # the user's own call: the keeper loads none
        else:
            assert outcome == {"error": spec.code, "token": False, "userinfo": None}, outcome
        if spec.code == "invalid_id_token":
            assert stats.get("token") == 1, stats  # the code was redeemed, the ID token refused
        if case == "key_rotation":
            assert stats.get("jwks") == 2, stats
        if case in ("mixup_iss", "discovery_issuer_mismatch"):
            assert stats.get("token", 0) == 0, stats
        if case == "discovery_issuer_mismatch":
            assert stats.get("authorize", 0) == stats.get("device_authorization", 0) == 0, stats
        elif flow == "loopback":
            assert stats.get("authorize") == 1, stats
            assert _wait(Path(f"{mark}.done")), "the browser script did not finish"
            landed = Path(f"{mark}.done").read_text()
            assert re.fullmatch(r"200 http://127\.0\.0\.1:\d+/", landed), f"the listener's answer: {landed}"
        else:
            assert stats.get("authorize", 0) == 0 and stats.get("device_authorization") == 1, stats
        assert not any("access_token" in line or "Bearer" in line for line in script.out + script.err)
    finally:
        script.stop()
        _stop_browser(mark)
