"""A sign-in the browser drives, at the keeper (Keeper.begin and Keeper.redeem), against a provider on
127.0.0.1: an answer redeems once and only for the sign-in that waits for it, a foreign issuer or the
provider's refusal stops it before any token request, a live session serves a new widget at once, and
a fresh sign-in of the same key replaces the session's tokens in place."""

from __future__ import annotations

from typing import Any

import pytest
from fake_idp import FakeIdp, begin, collector, sign_in

from ipython_oidc_client._keeper.keeper import Keeper
from ipython_oidc_client._keeper.wire import KeeperError


def refused(call: Any, *args: Any) -> str:
    with pytest.raises(KeeperError) as info:
        call(*args)
    return info.value.error


def test_an_answer_is_redeemed_once(keeper: Keeper, idp: FakeIdp) -> None:
    started = begin(keeper, idp, "w1")
    code, _ = idp.authorize(started["url"])
    answer = {"code": code, "state": started["state"]}
    assert keeper.redeem(started["state"], answer)["session"]["status"] == "signed_in"
    assert idp.count("/token") == 1
    assert refused(keeper.redeem, started["state"], answer) == "state_mismatch"
    assert idp.count("/token") == 1  # the replay never reached the provider
    assert keeper.ping()["pending"] == 0


@pytest.mark.parametrize("state", ["never-issued", None, 5, ""])
def test_an_answer_for_no_sign_in_is_refused_without_asking_the_provider(
    keeper: Keeper, idp: FakeIdp, state: Any
) -> None:
    begin(keeper, idp, "w1")
    assert refused(keeper.redeem, state, {"code": "c0de", "state": state}) == "state_mismatch"
    assert idp.count("/token") == 0
    assert keeper.ping()["pending"] == 1  # the sign-in that waits is untouched


def test_an_answer_that_names_another_sign_ins_state_is_refused(keeper: Keeper, idp: FakeIdp) -> None:
    first, second = begin(keeper, idp, "w1"), begin(keeper, idp, "w2")
    code, _ = idp.authorize(first["url"])
    assert (
        refused(keeper.redeem, second["state"], {"code": code, "state": first["state"]}) == "state_mismatch"
    )
    assert idp.count("/token") == 0


def test_an_answer_from_another_issuer_is_refused_before_any_token_request(
    keeper: Keeper, idp: FakeIdp
) -> None:
    started = begin(keeper, idp, "w1")
    code, _ = idp.authorize(started["url"])
    answer = {"code": code, "state": started["state"], "iss": "https://evil.example"}
    assert refused(keeper.redeem, started["state"], answer) == "issuer_mismatch"
    assert idp.count("/token") == 0
    # The sign-in is spent: the same answer without the foreign iss finds nothing to redeem.
    answer.pop("iss")
    assert refused(keeper.redeem, started["state"], answer) == "state_mismatch"


def test_the_providers_refusal_is_said_by_its_own_code(keeper: Keeper, idp: FakeIdp) -> None:
    started = begin(keeper, idp, "w1")
    answer = {"error": "access_denied", "error_description": "The user said no.", "state": started["state"]}
    assert refused(keeper.redeem, started["state"], answer) == "access_denied"
    assert idp.count("/token") == 0


def test_a_refused_token_request_is_said_by_the_providers_code(keeper: Keeper, idp: FakeIdp) -> None:
    started = begin(keeper, idp, "w1")
    code, _ = idp.authorize(started["url"])
    idp.token_errors.append((400, {"error": "invalid_grant", "error_description": "code expired"}))
    assert (
        refused(keeper.redeem, started["state"], {"code": code, "state": started["state"]}) == "invalid_grant"
    )
    assert keeper.instance("w1") == {"session": None}


def test_a_live_session_serves_a_new_widget_at_once_without_a_request(keeper: Keeper, idp: FakeIdp) -> None:
    first = sign_in(keeper, idp, "w1")
    calls = list(idp.calls)
    events: list[dict[str, Any]] = []
    keeper.follow("w2", collector(events))
    answer = begin(keeper, idp, "w2")
    assert "url" not in answer and answer["session"]["id"] == first["id"]
    assert idp.calls == calls and keeper.ping()["pending"] == 0
    assert keeper.instance("w2")["session"]["id"] == first["id"]
    assert events and events[-1]["token"]["access_token"].startswith("at-")


@pytest.mark.parametrize(("fresh", "config"), [(True, {}), (False, {"prompt": "login"})])
def test_a_fresh_sign_in_never_takes_the_live_session(
    keeper: Keeper, idp: FakeIdp, fresh: bool, config: dict[str, Any]
) -> None:
    sign_in(keeper, idp, "w1", **config)
    answer = begin(keeper, idp, "w2", fresh, **config)
    assert "session" not in answer and answer["url"].startswith(f"{idp.issuer}/authorize?")
    assert keeper.instance("w2") == {"session": None}


def test_a_fresh_sign_in_of_the_same_key_replaces_the_tokens_in_place(keeper: Keeper, idp: FakeIdp) -> None:
    first = sign_in(keeper, idp, "w1")
    events: list[dict[str, Any]] = []
    keeper.follow("w1", collector(events))
    before = events[-1]["token"]["access_token"]
    second = sign_in(keeper, idp, "w2", fresh=True)
    assert second["id"] == first["id"] and second["version"] > first["version"]
    assert keeper.ping()["sessions"] == 1
    assert events[-1]["session"]["version"] == second["version"]
    assert events[-1]["token"]["access_token"] not in (None, before)  # the first widget's kernel too
    assert keeper.instance("w1")["session"]["id"] == keeper.instance("w2")["session"]["id"] == first["id"]


def test_another_setting_is_another_session(keeper: Keeper, idp: FakeIdp) -> None:
    first = sign_in(keeper, idp, "w1")
    other = sign_in(keeper, idp, "w2", scope="openid profile email")
    assert other["id"] != first["id"] and keeper.ping()["sessions"] == 2
