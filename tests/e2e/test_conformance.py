"""The OpenID Foundation's RP conformance cases for the code flow (Basic and Config profiles) and the
RFC 9207 mix-up, played end to end by an adversarial provider of our own (tests/e2e/adversary):
JupyterLab, Chromium, one notebook, one cell per case; the server's token keeper makes each request
and checks each answer (the same checks as the device and loopback flows, which
tests/native/test_conformance_loopback.py plays the same cases against). A refused case must show
the reason in the widget and leave the kernel without a token; an accepted case must deliver it.

The run writes docs/conformance.md (once every case has run); a check below fails when that file
lists other cases than these.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext

from ._page import NotebookPage
from ._stack import Lab, write_notebook
from .adversary import Adversary

DOC = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"
TOKEN_MARK = "token_type"  # only the page's token message to the kernel holds this word


@dataclass(frozen=True)
class Case:
    oidf: str  # the OpenID Foundation's name for the RP test, or the RFC
    did: str  # what the adversary's provider does
    code: str | None  # None: accepted, the token reaches the kernel; else the error code expected
    reason: str  # a fragment of the widget's message that names the reason (accepted: of its message)
    expected: str  # what the client must do, in words


CASES: dict[str, Case] = {
    "happy": Case(
        "(control)",
        "A correct provider: RS256 ID token with every claim right.",
        None,
        "Signed in as Alice Adversary",
        "Accept: the token reaches the kernel (the adversary itself works).",
    ),
    "alg_none": Case(
        "rp-id_token-sig-none",
        'ID token with `"alg": "none"` and no signature.',
        "invalid_id_token",
        "it is signed with 'none', which is not allowed",
        "Refuse.",
    ),
    "bad_sig_rs256": Case(
        "rp-id_token-bad-sig-rs256",
        "RS256 ID token naming a published kid, signed with another (unpublished) RSA key.",
        "invalid_id_token",
        "its signature does not verify",
        "Refuse.",
    ),
    "bad_sig_es256": Case(
        "rp-id_token-bad-sig-es256",
        "ES256 ID token naming the published EC kid, signed with another (unpublished) P-256 key.",
        "invalid_id_token",
        "its signature does not verify",
        "Refuse.",
    ),
    "hs256_client_id": Case(
        "rp-id_token-bad-sig-hs256",
        "HS256 ID token, HMAC keyed with the client id (a public client has no secret).",
        "invalid_id_token",
        "it is signed with 'HS256', which is not allowed",
        "Refuse.",
    ),
    "iss_mismatch": Case(
        "rp-id_token-issuer-mismatch",
        "ID token `iss` names another issuer.",
        "invalid_id_token",
        "claim iss: another issuer",
        "Refuse.",
    ),
    "aud_mismatch": Case(
        "rp-id_token-aud",
        "ID token `aud` is another client.",
        "invalid_id_token",
        "claim aud: it is not for this client",
        "Refuse.",
    ),
    "azp_mismatch": Case(
        "rp-id_token-aud (several audiences, azp)",
        "ID token `aud` is [this client, another client] and `azp` the other client.",
        "invalid_id_token",
        "azp is not this client",
        "Refuse.",
    ),
    "iat_missing": Case(
        "rp-id_token-iat",
        "ID token without `iat`.",
        "invalid_id_token",
        "claim iat is missing",
        "Refuse.",
    ),
    "sub_missing": Case(
        "rp-id_token-sub",
        "ID token without `sub`.",
        "invalid_id_token",
        "claim sub is missing",
        "Refuse.",
    ),
    "expired": Case(
        "(Core §3.1.3.7 item 9)",
        "ID token whose `exp` is an hour in the past.",
        "invalid_id_token",
        "it has expired",
        "Refuse.",
    ),
    "nonce_bad": Case(
        "rp-nonce-invalid",
        "ID token with a `nonce` other than the one sent.",
        "invalid_id_token",
        "nonce does not match the one this sign-in sent",
        "Refuse.",
    ),
    "nonce_missing": Case(
        "rp-nonce-invalid (nonce absent)",
        "ID token without `nonce`, though the request sent one.",
        "invalid_id_token",
        "nonce does not match the one this sign-in sent",
        "Refuse.",
    ),
    "kid_absent_single_jwk": Case(
        "rp-id_token-kid-absent-single-jwks",
        "ID token header without `kid`; the JWKS has exactly one key, which signed it.",
        None,
        "Signed in as Alice Adversary",
        "Accept (Core §10.1: without a kid, the one key is used).",
    ),
    "kid_absent_multiple_jwks": Case(
        "rp-id_token-kid-absent-multiple-jwks",
        "ID token header without `kid`; the JWKS has two RSA keys.",
        "invalid_id_token",
        "multiple matching keys",
        "Refuse (the spec allows trying every key; this client refuses, as expected here).",
    ),
    "key_rotation": Case(
        "rp-key-rotation-op-sign-key",
        "ID token signed with a new key (kid `rsa-b`) that the JWKS publishes only from its second fetch.",
        None,
        "Signed in as Alice Adversary",
        "Accept after one forced reload of the JWKS (the keeper's `Keys`): two fetches.",
    ),
    "discovery_issuer_mismatch": Case(
        "rp-discovery-issuer-not-matching-config",
        "The discovery document's `issuer` is not the authority it was fetched from.",
        "discovery_invalid",
        "The provider calls itself",
        "Refuse before sending the user to the provider.",
    ),
    "userinfo_sub_mismatch": Case(
        "rp-userinfo-bad-sub-claim",
        "The userinfo endpoint answers with another `sub` than the ID token's.",
        None,
        "Signed in as Alice Adversary",
        "Not applicable: the keeper loads userinfo only when a config sets `loadUserInfo` (off by "
        "default; with it, another `sub` is refused), so the wrong `sub` is never read. Checked: the "
        "token arrives and userinfo is requested 0 times.",
    ),
    "mixup_iss": Case(
        "RFC 9207 (mix-up, RFC 9700 §4.4)",
        "The authorization response's `iss` names another provider (the control case's issuer).",
        "issuer_mismatch",
        "came from another provider",
        "Refuse before the code is sent anywhere (token endpoint not called).",
    ),
}

#: Outcome per case of this run, filled by the tests; the doc is written when every case has one.
RESULTS: dict[str, str] = {}


def _cell(adversary: Adversary, case: str) -> str:
    config = adversary.config(case)
    return (
        f"t_{case} = {{}}\ns_{case} = authenticate({config!r}, t_{case}, timeout=30)\n"
        f"try:\n    await s_{case}\nexcept AuthenticationError:\n    pass\n"
        f"e_{case} = s_{case}.error.error if s_{case}.error else None\n"
        f"print('report', {case!r}, 'access_token' in t_{case}, e_{case})"
    )


@pytest.fixture(scope="module")
def notebook(browser: Browser, lab: Lab, adversary: Adversary) -> Iterator[NotebookPage]:
    """One notebook, one page: cell 0 imports, cell i+1 plays case i."""
    write_notebook(
        lab.root / "conformance.ipynb",
        [
            "from ipython_oidc_client import AuthenticationError, authenticate",
            *(_cell(adversary, case) for case in CASES),
        ],
    )
    context: BrowserContext = browser.new_context()
    try:
        nb = NotebookPage(context, lab, "conformance.ipynb")
        nb.run(0)
        yield nb
    finally:
        context.close()


@pytest.fixture(scope="module", autouse=True)
def _write_doc() -> Iterator[None]:
    yield
    if set(RESULTS) == set(CASES):
        DOC.write_text(render_doc(RESULTS))


def render_doc(results: dict[str, str]) -> str:
    lines = [
        "# OpenID Connect RP conformance, end to end",
        "",
        "Written by `tests/e2e/test_conformance.py` when all of its cases have run: each case is a",
        "provider of the adversary's own (`tests/e2e/adversary/server.py`, one issuer per case) and a",
        "cell of one notebook in JupyterLab, signed in through Chromium. A refused case passes when the",
        "widget shows the error with its reason and the kernel holds no access token and the expected",
        "`signin.error.error`; an accepted case when the token reaches the kernel.",
        "",
        "| case | test | what the provider did | expected | outcome |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, case in CASES.items():
        expected = case.expected if case.code is None else f"{case.expected} Code `{case.code}`."
        lines.append(f"| `{name}` | {case.oidf} | {case.did} | {expected} | {results[name]} |")
    failed = sum(1 for r in results.values() if r.startswith("FAILED"))
    lines += ["", f"{len(results)} cases: {len(results) - failed} as expected, {failed} failed.", ""]
    return "\n".join(lines)


@pytest.mark.parametrize("case", list(CASES))
def test_case_end_to_end(case: str, notebook: NotebookPage, adversary: Adversary) -> None:
    spec = CASES[case]
    index = list(CASES).index(case) + 1
    nb = notebook
    sent_before = len(nb.sent_to_kernel)
    try:
        # No expect_popup: a provider refused at discovery opens no window at all.
        nb.run(index)
        text = nb.wait_status("signed_in" if spec.code is None else "error", index=index, timeout=30_000)
        out = nb.wait_output(index, "report", timeout=30_000)
        report = re.search(rf"report {case} (True|False) (\S+)", out)
        assert report, out
        has_token, code = report.group(1) == "True", report.group(2)
        if spec.code is None:
            assert has_token and code == "None", out
            assert spec.reason in text, text
            outcome = "accepted: the token reached the kernel"
        else:
            # What matters first: nothing reached the kernel, and the widget says why.
            assert not has_token, out
            assert not any(TOKEN_MARK in str(f) for f in nb.sent_to_kernel[sent_before:]), "a token was sent"
            assert spec.reason in text, text
            detail = re.search(r"failed validation \(([^()]*)\)", text)
            outcome = f"refused: `{code}`, widget: “{detail.group(1) if detail else spec.reason}”"
        stats = adversary.stats(case)
        if case == "key_rotation":
            assert stats.get("jwks") == 2, stats
            outcome += "; JWKS fetched twice"
        if case == "userinfo_sub_mismatch":
            assert stats.get("userinfo", 0) == 0, stats
            outcome = "not applicable: the token reached the kernel, userinfo was never requested"
        if case in ("mixup_iss", "discovery_issuer_mismatch"):
            assert stats.get("token", 0) == 0, stats
            outcome += "; token endpoint not called"
        if case == "discovery_issuer_mismatch":
            assert stats.get("authorize", 0) == 0, stats
        if spec.code == "invalid_id_token":
            assert stats.get("token") == 1, stats  # the code was exchanged, the result refused
        assert spec.code is None or code == spec.code, f"kernel error code {code!r}, expected {spec.code!r}"
    except BaseException as err:
        RESULTS[case] = f"FAILED: {str(err).splitlines()[0][:120] if str(err) else type(err).__name__}"
        raise
    RESULTS[case] = outcome


def test_doc_lists_exactly_the_cases_run() -> None:
    """docs/conformance.md is generated by the cases above: it must name the same set."""
    listed = re.findall(r"^\| `([a-z0-9_]+)` \|", DOC.read_text(), flags=re.MULTILINE)
    assert sorted(listed) == sorted(CASES), (sorted(set(listed) ^ set(CASES)), "rerun test_conformance.py")
    assert len(listed) == len(set(listed))
