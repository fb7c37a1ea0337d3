"""The keeper's renewal policy (docs/keeper.md, Renewal), with a provider on 127.0.0.1 and lifetimes of
seconds: when a renewal is due, a provider that cannot be reached is tried again while the token lives,
a refusal is final and the session expires with its token, a session without a refresh token expires
at its time, an absurd lifetime is taken as a year; ``wait`` answers at the first change; and nothing
a page or a kernel sees of a session holds a code, a verifier, a nonce, a refresh or an ID token."""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import pytest
from fake_idp import REDIRECT, FakeIdp, collector, leaked, sign_in

from ipython_oidc_client._keeper.keeper import Keeper
from ipython_oidc_client._keeper.session import MIN_RENEWAL_GAP, RETRY_SECONDS, renewal_due
from ipython_oidc_client._native._http import Http, Unreachable
from ipython_oidc_client._native.checks.tokens import MAX_LIFETIME


def next_view(keeper: Keeper, view: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
    changed = keeper.wait({view["id"]: view["version"]}, timeout)["sessions"]
    assert view["id"] in changed, "no change in time"
    new: dict[str, Any] = changed[view["id"]]
    return new


@pytest.mark.parametrize(
    ("expires_at", "issued", "renew_before", "now", "due"),
    [
        (3600.0, 0.0, 60.0, 0.0, 3540.0),  # renew_before seconds before expiry
        (30.0, 0.0, 60.0, 0.0, 15.0),  # at most half the lifetime before
        (100.0, 0.0, 0.0, 0.0, 100.0),  # renew_before 0: at expiry
        (10.0, 0.0, 60.0, 9.5, 9.5 + MIN_RENEWAL_GAP),  # never sooner than the gap from now
        (5.0, 10.0, 60.0, 10.0, 10.0 + MIN_RENEWAL_GAP),  # a lifetime below zero is none
        (100.0, 0.0, math.nan, 0.0, 100.0),  # no number: at expiry, never "always"
        (100.0, 0.0, -50.0, 0.0, 100.0),  # never after expiry
    ],
)
def test_when_a_renewal_is_due(
    expires_at: float, issued: float, renew_before: float, now: float, due: float
) -> None:
    assert renewal_due(expires_at, issued, renew_before, now) == pytest.approx(due)


@pytest.mark.parametrize("renew_before", [math.nan, -100, "soon", None])
def test_a_renew_before_that_is_no_number_of_seconds_is_taken_as_the_default(
    keeper: Keeper, idp: FakeIdp, renew_before: Any
) -> None:
    # A NaN made every moment due: the keeper renewed in a loop, hammering the provider.
    started = keeper.begin(idp.config(), REDIRECT, "w1", False, None, renew_before)
    code, _ = idp.authorize(started["url"])
    view = keeper.redeem(started["state"], {"code": code, "state": started["state"]})["session"]
    session = keeper.state.sessions[view["id"]]
    assert session.renew_before == 60.0
    assert session.due is not None and session.due == pytest.approx(view["expires_at"] - 60, abs=2)
    time.sleep(0.5)
    assert idp.count("/token") == 1


def test_a_provider_out_of_reach_is_tried_again_and_the_token_is_kept(
    keeper: Keeper, idp: FakeIdp, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = sign_in(keeper, idp, "w1")
    session = keeper.state.sessions[view["id"]]
    kept = session.token()
    assert kept is not None and session.due_kind == "renew"

    def unreachable(_self: Http, _url: str, _data: dict[str, str], _headers: Any = None) -> tuple[int, Any]:
        raise Unreachable("ConnectionError")

    monkeypatch.setattr(Http, "post_form", unreachable)
    before = time.time()
    keeper._renew(session)
    now = keeper.view(view["id"])["session"]
    assert now["status"] == "signed_in" and now["error"]["error"] == "renewal_failed"
    assert session.token() == kept  # the kernel keeps using the token it has
    assert session.due_kind == "renew" and session.due is not None
    assert before + 1 <= session.due <= time.time() + RETRY_SECONDS
    monkeypatch.undo()  # the provider is back
    keeper._renew(session)
    renewed = keeper.view(view["id"])["session"]
    assert renewed["error"] is None and renewed["version"] > now["version"]
    assert session.token() is not None and session.token() != kept


def test_a_refused_renewal_is_final_and_the_session_expires_with_its_token(
    keeper: Keeper, idp: FakeIdp
) -> None:
    idp.expires_in = 3  # renewal due after half of it
    view = sign_in(keeper, idp, "w1")
    expires_at = view["expires_at"]
    idp.token_errors.append((400, {"error": "invalid_grant", "error_description": "session ended"}))
    failed = next_view(keeper, view)
    assert failed["status"] == "signed_in" and failed["error"]["error"] == "renewal_failed"
    assert "invalid_grant" in failed["error"]["message"]
    assert keeper.state.sessions[view["id"]].token() is not None  # still usable until it expires
    # The refused refresh token is dropped: Renew would only try it again in vain.
    assert failed["renewable"] is False
    ended = next_view(keeper, failed)
    assert time.time() >= expires_at - 0.05
    assert ended["status"] == "expired" and ended["error"]["error"] == "renewal_failed"
    assert keeper.state.sessions[view["id"]].token() is None
    assert idp.count("/token") == 2  # the sign-in, the one refused renewal: no retry


def test_a_gateway_error_during_renewal_is_tried_again_like_an_unreachable_provider(
    keeper: Keeper, idp: FakeIdp
) -> None:
    view = sign_in(keeper, idp, "w1")
    session = keeper.state.sessions[view["id"]]
    kept = session.token()
    idp.token_errors.append((502, "<html>Bad Gateway</html>"))
    keeper._renew(session)
    now = keeper.view(view["id"])["session"]
    assert now["status"] == "signed_in" and now["renewable"] is True
    assert "retrying until it expires" in now["error"]["message"]
    assert session.token() == kept and session.due_kind == "renew"


def test_a_session_without_a_refresh_token_expires_at_its_time(keeper: Keeper, idp: FakeIdp) -> None:
    idp.expires_in, idp.refresh = 1, False
    events: list[dict[str, Any]] = []
    keeper.follow("w1", collector(events))
    view = sign_in(keeper, idp, "w1")
    assert view["renewable"] is False
    ended = next_view(keeper, view)
    assert time.time() >= view["expires_at"] - 0.05
    assert (ended["status"], ended["error"]["error"], ended["expires_at"]) == (
        "expired",
        "token_expired",
        view["expires_at"],
    )
    assert events[-1]["session"]["status"] == "expired" and events[-1]["token"] is None
    assert idp.count("/token") == 1


def test_an_absurd_lifetime_is_taken_as_a_year(keeper: Keeper, idp: FakeIdp) -> None:
    idp.expires_in = 1e300
    view = sign_in(keeper, idp, "w1")
    assert view["expires_at"] <= time.time() + MAX_LIFETIME
    session = keeper.state.sessions[view["id"]]
    assert session.due is not None and math.isfinite(session.due) and session.due < view["expires_at"]
    time.sleep(0.2)  # the scheduler waits for it: no OverflowError there (a thread's would fail the test)
    assert any(t.name == "keeper-scheduler" and t.is_alive() for t in threading.enumerate())


def test_an_absurd_integer_lifetime_is_taken_as_a_year(keeper: Keeper, idp: FakeIdp) -> None:
    idp.expires_in = 10**400
    assert sign_in(keeper, idp, "w1")["expires_at"] <= time.time() + MAX_LIFETIME


def test_wait_answers_at_the_first_change_and_with_nothing_at_its_timeout(
    keeper: Keeper, idp: FakeIdp
) -> None:
    view = sign_in(keeper, idp, "w1")
    started = time.monotonic()
    assert keeper.wait({view["id"]: view["version"]}, 0.3) == {"sessions": {}}
    assert time.monotonic() - started >= 0.3
    assert keeper.wait({"gone": 1}, 5) == {"sessions": {"gone": None}}  # unknown: at once
    started = time.monotonic()
    assert keeper.wait({}, 5) == {"sessions": {}}  # nothing to watch: at once, not at the timeout
    assert time.monotonic() - started < 1
    assert keeper.wait({view["id"]: view["version"] - 1}, 5)["sessions"][view["id"]] == view
    timer = threading.Timer(0.3, keeper.renew, args=(view["id"],))
    timer.start()
    try:
        started = time.monotonic()
        renewed = next_view(keeper, view, 20)
    finally:
        timer.join()
    assert 0.25 <= time.monotonic() - started < 10
    assert renewed["version"] > view["version"] and renewed["status"] == "signed_in"


def test_no_view_or_event_holds_a_code_verifier_nonce_refresh_or_id_token(
    keeper: Keeper, idp: FakeIdp
) -> None:
    seen: list[Any] = []
    keeper.follow("w1", collector(seen))
    view = sign_in(keeper, idp, "w1")
    seen += [view, keeper.view(view["id"]), keeper.instance("w1"), keeper.renew(view["id"])]
    seen += [keeper.begin(idp.config(), REDIRECT, "w2", False, None, 60)]
    seen += [keeper.wait({view["id"]: 0}, 1), keeper.token(view["id"]), keeper.ping()]
    seen += [keeper.logout(view["id"], REDIRECT)]
    seen += [keeper.view(view["id"]), keeper.instance("w2")]
    secrets = idp.secrets()
    kinds = {s[:3] for s in secrets}
    assert "rt-" in kinds and len(secrets) >= 6  # codes, nonces, verifiers, refresh and ID tokens
    assert leaked(seen, secrets) == []
    assert [e["token"] for e in seen if isinstance(e, dict) and e.get("event")][-1] is None
    assert idp.count("/revoke") == 1
