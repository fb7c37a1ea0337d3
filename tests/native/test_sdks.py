"""docs/sdks.md's examples, run as written: a plain ``python`` process signs in with the device grant
at oidc-provider (approved in Chromium), then runs each block the page marks as running against the
demo, with the demo's provider address replaced by this provider's (as demo/run.sh does for its
notebook). Each calls the provider's userinfo endpoint through its SDK with the Token's access token."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from e2e._stack import Provider
from playwright.sync_api import BrowserContext

from ._drive import Script, approve_device, script_env

ROOT = Path(__file__).resolve().parents[2]
MARK = "<!-- runs against the demo: tests/native/test_sdks.py -->"
DEMO_ISSUER = "http://127.0.0.1:9090"

#: Signs in, then runs each example with top-level await (a notebook cell's), and prints who
#: userinfo said we are; never the token.
SCRIPT = """\
import ast, asyncio, inspect, json, os, sys
from ipython_oidc_client import authenticate

signin = authenticate(json.loads(os.environ["NATIVE_TEST_CONFIG"]), flow="device", timeout=60)
token = signin.token
for number, block in enumerate(json.loads(os.environ["SDK_EXAMPLES"])):
    namespace = {"token": token}
    code = compile(block, f"docs/sdks.md example {number}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)
    if inspect.iscoroutine(result):
        asyncio.run(result)
    print("example:", number, namespace["me"]["sub"], flush=True)
"""


def examples() -> list[str]:
    page = (ROOT / "docs" / "sdks.md").read_text()
    blocks = re.findall(re.escape(MARK) + r"\n```python\n(.*?)```", page, re.S)
    return blocks


def test_the_pages_marked_examples_are_the_three_sdks() -> None:
    found = examples()
    assert len(found) == 3
    assert ["as_azure_credential()" in b for b in found] == [True, False, False]
    assert ["as_google_credentials()" in b for b in found] == [False, True, False]
    assert ["aiohttp_middleware(" in b for b in found] == [False, False, True]
    assert all(DEMO_ISSUER in b for b in found)  # each calls the demo's provider


def test_each_example_calls_userinfo_with_the_signed_in_token(
    provider: Provider, context: BrowserContext, tmp_path: Path
) -> None:
    blocks = [b.replace(DEMO_ISSUER, provider.issuer) for b in examples()]
    path = tmp_path / "sdk_examples.py"
    path.write_text(SCRIPT)
    env = script_env(provider, "device", SDK_EXAMPLES=json.dumps(blocks))
    script = Script([sys.executable, str(path)], env, tmp_path)
    try:
        approve_device(context, script.link())
        for number in range(len(blocks)):
            assert script.line(f"example: {number} ").split() == ["example:", str(number), "alice"]
        assert script.wait() == 0, script.err
        issued = [entry["access_token"] for entry in provider.issued() if entry.get("access_token")]
        printed = "\n".join(script.out + script.err)
        assert not any(access in printed for access in issued)
    finally:
        script.stop()
