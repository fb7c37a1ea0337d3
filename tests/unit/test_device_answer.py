"""The device authorization response (RFC 8628 §3.2) held to bounds and shown honestly
(_native/checks/device.py): the polling interval at least 1 s and 5 s when absent, ``expires_in`` a
finite number held to an hour, the user code cut and cleaned, the verification URI an http(s) link
whose host is said beside it, with a warning naming both hosts when it is not the issuer's; and the
same fields carried from the keeper to the kernel and the widget, the same text printed in a terminal."""

from __future__ import annotations

import math
from typing import Any

import pytest
from device_answers import CODES, ISSUER

from ipython_oidc_client._errors import AuthenticationError
from ipython_oidc_client._keeper import native as keeper_native
from ipython_oidc_client._native import device
from ipython_oidc_client._native.checks import backoff, parse_device_authorization
from ipython_oidc_client._native.checks.device import (
    DEFAULT_INTERVAL,
    MAX_EXPIRES_IN,
    MIN_INTERVAL,
    URI_LIMIT,
    USER_CODE_LIMIT,
)
from ipython_oidc_client._native.config import native_config
from ipython_oidc_client._native.verification import verification_of
from ipython_oidc_client._signin import SignIn
from ipython_oidc_client._text import LIMIT
from ipython_oidc_client._token import Token

#: 100 KB of user code with a right-to-left override, an isolate, a newline and an escape in it.
HOSTILE_CODE = "AB\u202eCD\u2066-\nEF\x1b[2J" + "G" * 100_000


def parsed(issuer: str = ISSUER, **over: Any) -> Any:
    return parse_device_authorization(200, {**CODES, **over}, issuer)


def refusal(**over: Any) -> AuthenticationError:
    with pytest.raises(AuthenticationError) as caught:
        parsed(**over)
    return caught.value


# The polling interval (RFC 8628 §3.2, §3.5).


@pytest.mark.parametrize("interval", [0.001, 0.5, 1e-300])
def test_an_interval_below_one_second_is_taken_as_one_second(interval: float) -> None:
    assert parsed(interval=interval).interval == MIN_INTERVAL == 1.0


def test_an_interval_of_one_second_or_more_is_kept() -> None:
    assert parsed(interval=1).interval == 1.0
    assert parsed(interval=7.5).interval == 7.5


@pytest.mark.parametrize("interval", [0, -3, math.nan, math.inf, "2", True, None, [5]])
def test_a_missing_or_unusable_interval_is_five_seconds(interval: Any) -> None:
    assert parse_device_authorization(200, CODES, ISSUER).interval == DEFAULT_INTERVAL == 5.0
    assert parsed(interval=interval).interval == 5.0


def test_a_huge_interval_is_held_to_the_longest_wait_without_overflow() -> None:
    assert parsed(interval=10**400).interval == MAX_EXPIRES_IN
    assert parsed(interval=1e300).interval == MAX_EXPIRES_IN


def test_an_interval_of_a_millisecond_polls_at_most_once_a_second() -> None:
    # The audit's case: interval 0.001 gave 1455 polls in 3 s. On a fake clock: 3 in 3 s.
    auth = parsed(interval=0.001)
    now = [0.0]
    polls = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    def request() -> tuple[int, Any]:
        polls.append(now[0])
        return 400, {"error": "authorization_pending"}

    with pytest.raises(AuthenticationError, match="timeout"):
        device.poll(request, auth, 3.0, sleep=sleep, clock=lambda: now[0])
    assert polls == [1.0, 2.0, 3.0]


def test_backoff_never_waits_less_than_the_provider_asked() -> None:
    assert backoff(5.0) == 10.0
    assert backoff(50.0) == 60.0
    assert backoff(600.0) == 600.0  # not cut to the 60-s cap: the provider asked for 600


# expires_in (RFC 8628 §3.2).


@pytest.mark.parametrize("expires_in", [10**400, 1e300, 86_400])
def test_a_huge_expires_in_is_held_to_an_hour_without_overflow(expires_in: Any) -> None:
    assert parsed(expires_in=expires_in).expires_in == MAX_EXPIRES_IN == 3600.0


def test_an_expires_in_within_the_hour_is_kept() -> None:
    assert parsed(expires_in=900).expires_in == 900.0


@pytest.mark.parametrize(
    "expires_in", [math.nan, math.inf, -math.inf, "x", "600", True, None, 0, -1, -(10**400)]
)
def test_an_expires_in_that_is_not_a_positive_finite_number_is_refused(expires_in: Any) -> None:
    err = refusal(expires_in=expires_in)
    assert err.error == "invalid_response" and '"expires_in"' in err.message


# The user code (RFC 8628 §3.2, §6.1).


def test_a_user_code_of_100_kb_with_bidi_overrides_is_cut_and_cleaned() -> None:
    auth = parsed(user_code=HOSTILE_CODE)
    assert auth.user_code == "ABCD-EF[2J" + "G" * (USER_CODE_LIMIT - 11) + "…"
    assert len(auth.user_code) == USER_CODE_LIMIT
    for said in (auth.prompt(), auth.verification()["code"]):
        assert all(c not in said for c in ("\u202e", "\u2066", "\x1b")), said
        assert len(said) < URI_LIMIT + 3 * LIMIT
    assert "\n" not in auth.prompt()  # no warning here: the link is on the issuer's host


def test_a_user_code_of_nothing_printable_is_refused() -> None:
    err = refusal(user_code="\u202e\u2066\n\x00")
    assert err.error == "invalid_response" and "user_code" in err.message


# The verification URI (RFC 8628 §3.2, §3.3): its host said, compared with the issuer's.


def test_the_prompt_and_the_fields_say_the_links_host_beside_the_link_and_the_code() -> None:
    auth = parsed()
    assert auth.prompt() == (
        f"To sign in, open {ISSUER}/device?user_code=ABCD-EFGH in a browser (it is on idp.example) and "
        "check that it shows the code ABCD-EFGH."
    )
    assert auth.verification() == {
        "link": f"{ISSUER}/device?user_code=ABCD-EFGH",
        "code": "ABCD-EFGH",
        "host": "idp.example",
        "complete": True,
        "warning": None,
    }
    plain = parsed(verification_uri_complete=None)
    assert plain.prompt().endswith("(it is on idp.example) and enter the code ABCD-EFGH.")
    assert plain.verification()["link"] == f"{ISSUER}/device" and not plain.verification()["complete"]


@pytest.mark.parametrize(
    ("issuer", "link", "host", "issuer_host"),
    [
        # Google's issuer and its device page (developers.google.com, OAuth 2.0 for limited-input devices).
        (
            "https://accounts.google.com",
            "https://www.google.com/device",
            "www.google.com",
            "accounts.google.com",
        ),
        # Microsoft's (learn.microsoft.com, OAuth 2.0 device authorization grant).
        (
            "https://login.microsoftonline.com/tid/v2.0",
            "https://microsoft.com/devicelogin",
            "microsoft.com",
            "login.microsoftonline.com",
        ),
        # The audit's case: a host that starts like the issuer's, and is not it.
        (
            "https://login.microsoftonline.com/tid/v2.0",
            "https://login.microsoftonline.com.evil.example/device",
            "login.microsoftonline.com.evil.example",
            "login.microsoftonline.com",
        ),
    ],
)
def test_a_link_on_another_host_is_accepted_with_a_warning_naming_both_hosts(
    issuer: str, link: str, host: str, issuer_host: str
) -> None:
    auth = parsed(issuer, verification_uri=link, verification_uri_complete=None)
    assert auth.host == host
    assert auth.warning is not None
    assert f"{host} is not the provider's own host ({issuer_host})" in auth.warning
    line = f"To sign in, open {link} in a browser (it is on {host}) and enter the code ABCD-EFGH."
    assert auth.prompt() == f"{line}\n{auth.warning}"
    assert auth.verification()["warning"] == auth.warning and auth.verification()["host"] == host


def test_the_same_host_on_another_port_or_in_capitals_is_no_other_host() -> None:
    auth = parsed(verification_uri="https://IDP.example:8443/device", verification_uri_complete=None)
    assert auth.warning is None and auth.host == "idp.example:8443"
    assert (
        parsed(verification_uri="https://idp.example:443/device", verification_uri_complete=None).host
        == "idp.example"
    )


def test_the_host_said_is_the_one_of_the_link_shown() -> None:
    # The complete link is the one shown: its host is the one said and compared.
    auth = parsed(verification_uri_complete="https://other.example/d?user_code=ABCD-EFGH")
    assert auth.host == "other.example" and auth.warning is not None and "other.example" in auth.warning


def test_loopback_http_is_accepted_with_its_port_as_a_browser_writes_it() -> None:
    issuer = "http://127.0.0.1:3000"
    auth = parsed(issuer, verification_uri=f"{issuer}/device", verification_uri_complete=None)
    assert auth.host == "127.0.0.1:3000" and auth.warning is None
    v6 = parsed(
        "http://[::1]:3000", verification_uri="http://[::1]:3000/device", verification_uri_complete=None
    )
    assert v6.host == "[::1]:3000" and v6.warning is None


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://idp.example/device",
        "http://idp.example/device",  # plain http off loopback
        "//idp.example/device",
        "https:idp.example/device",
    ],
)
def test_a_link_that_is_not_https_is_refused(link: str) -> None:
    for field in ("verification_uri", "verification_uri_complete"):
        err = refusal(**{field: link})
        assert err.error == "invalid_response" and field in err.message


@pytest.mark.parametrize("link", ["https://[", "https://idp.example:99999/device", "https://idp.example:x/d"])
def test_a_link_urllib_cannot_split_is_the_projects_error(link: str) -> None:
    err = refusal(verification_uri=link)  # a plain ValueError before
    assert err.error == "invalid_response" and "not a URL" in err.message


@pytest.mark.parametrize(
    "link",
    [
        "https://login.microsoftonline.com@evil.example/device",  # a user name before the real host
        "https://evil.example\\@idp.example/device",  # urllib's host: idp.example; a browser's: evil.example
        "https://idp.example/dev ice",
        "https://idp.example/device\n",
        "https://idp.example/\u202eecived",
        "https://idp.éxample/device",
    ],
)
def test_a_link_that_could_read_as_another_host_is_refused(link: str) -> None:
    err = refusal(verification_uri=link, verification_uri_complete=None)
    assert err.error == "invalid_response"
    assert all(c not in err.message for c in ("\u202e", "\n"))


def test_a_link_of_100_kb_is_refused_with_a_bounded_message() -> None:
    err = refusal(verification_uri=f"{ISSUER}/device?" + "x" * 100_000)
    assert err.error == "invalid_response" and len(err.message) < 3 * LIMIT


# From the keeper to the kernel, the widget and a terminal.


class _Http:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def post_form(self, url: str, data: dict[str, str]) -> tuple[int, Any]:
        return 200, self.body


def test_the_device_flow_compares_the_link_with_the_discovered_issuer_and_says_both_text_and_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg = native_config({"authority": "https://accounts.google.com", "client_id": "c", "scope": "openid"})
    metadata = {
        "issuer": "https://accounts.google.com",
        "device_authorization_endpoint": "https://oauth2.googleapis.com/device/code",
        "token_endpoint": "https://oauth2.googleapis.com/token",
    }
    body = {**CODES, "verification_uri": "https://www.google.com/device", "verification_uri_complete": None}

    def refused(*_: Any, **__: Any) -> Any:
        raise AuthenticationError("access_denied", "refused")

    monkeypatch.setattr(device, "poll", refused)  # the polling is tested on a fake clock above
    said: list[tuple[Any, ...]] = []
    with pytest.raises(AuthenticationError, match="access_denied"):
        device.run(cfg, metadata, _Http(body), lambda *a: said.append(a), 60.0)  # type: ignore[arg-type]
    [(text, fields)] = said
    assert fields["host"] == "www.google.com" and fields["link"] == "https://www.google.com/device"
    assert "www.google.com is not the provider's own host (accounts.google.com)" in fields["warning"]
    assert "(it is on www.google.com)" in text and fields["warning"] in text


def test_the_keeper_sends_the_fields_with_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    auth = parsed(verification_uri_complete="https://other.example/d?user_code=ABCD-EFGH")

    def run_flow(cfg: Any, flow: str, http: Any, say: Any, timeout: float) -> Any:
        say("Signing in with the device authorization grant.")
        say(auth.prompt(), auth.verification())
        raise AuthenticationError("access_denied", "refused")

    monkeypatch.setattr(keeper_native, "run_flow", run_flow)
    sent: list[dict[str, Any]] = []
    request = {"config": {"authority": ISSUER, "client_id": "c"}, "flow": "device"}
    keeper_native.sign_in_natively(None, request, sent.append)  # type: ignore[arg-type]
    assert sent == [
        {"event": "say", "text": "Signing in with the device authorization grant."},
        {"event": "say", "text": auth.prompt(), "verification": auth.verification()},
        {"event": "failed", "error": "access_denied", "message": "refused"},
    ]


def test_the_kernel_passes_the_fields_on_and_a_terminal_prints_the_same_honest_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = parsed(verification_uri="https://www.google.com/device", verification_uri_complete=None)
    event = {"event": "say", "text": auth.prompt(), "verification": auth.verification()}
    heard: list[dict[str, Any]] = []
    shown = SignIn.with_widget({"authority": ISSUER, "client_id": "c"}, Token(), 60, 60, "popup")
    assert shown.widget is not None
    monkeypatch.setattr(shown.widget, "send", heard.append)
    shown.on_event(event)
    shown.widget.close()
    assert [(m["message"], m["verification"]) for m in heard] == [(auth.prompt(), auth.verification())]
    SignIn(Token(), 60).on_event(event)  # no widget: the line is printed
    printed = capsys.readouterr().out
    assert "(it is on www.google.com)" in printed
    assert "www.google.com is not the provider's own host (idp.example)" in printed


@pytest.mark.parametrize(
    "value",
    [
        None,
        "x",
        {},
        {"link": "l", "code": "c", "host": "h"},
        {"link": 1, "code": "c", "host": "h", "complete": True},
    ],
)
def test_fields_that_are_not_whole_are_dropped_and_the_line_stays_text(value: Any) -> None:
    assert verification_of(value) is None


def test_googles_verification_url_is_taken_as_the_verification_uri() -> None:
    """Google's device endpoint answers ``verification_url`` (its documentation for limited-input
    devices), not RFC 8628's ``verification_uri``: the same field, checked the same way."""
    google = {k: v for k, v in CODES.items() if not k.startswith("verification_uri")}
    got = parse_device_authorization(
        200, {**google, "verification_url": "https://www.google.com/device"}, "https://accounts.google.com"
    )
    assert got.link == "https://www.google.com/device"
    with pytest.raises(AuthenticationError) as caught:
        parse_device_authorization(200, {**google, "verification_url": "javascript:x"}, ISSUER)
    assert caught.value.error == "invalid_response"
