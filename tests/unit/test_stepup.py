"""A request made with ``auth=token`` that an API refuses (docs/stepup.md): RFC 9470's
``insufficient_user_authentication`` asks for a stronger sign-in and retries once with the new token;
``invalid_token`` asks the keeper for a renewal and retries once; anything else, and any second 401,
is the caller's as it came. Against an API on 127.0.0.1 that answers what the test says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from e2e._api import LocalApi

from ipython_oidc_client import Token
from ipython_oidc_client._stepup import parse_challenge, registered, renewer, step_up_params

STEP_UP = (
    'Bearer error="insufficient_user_authentication", error_description="A different authentication '
    'level is required", acr_values="gold", max_age="5"'
)


class Api(LocalApi):
    """Answers each request with the next of ``answers`` ((status, WWW-Authenticate)), then 200."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, str | None]] = []
        super().__init__(self._answer)

    def _answer(self, _authorization: str) -> tuple[int, dict[str, str], Any]:
        status, challenge = self.answers.pop(0) if self.answers else (200, None)
        return status, {"WWW-Authenticate": challenge} if challenge else {}, {"status": status}


@pytest.fixture
def api() -> Iterator[Api]:
    served = Api()
    yield served
    served.stop()


@pytest.fixture
def token() -> Iterator[Token]:
    t = Token(access_token="first-token", token_type="Bearer", expires_at=None, scope="openid")
    yield t


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (STEP_UP, {"error": "insufficient_user_authentication", "acr_values": "gold", "max_age": "5"}),
        ('DPoP algs="ES256", Bearer error="invalid_token"', {"error": "invalid_token"}),
        (
            'Bearer realm="api", error="insufficient_user_authentication", acr_values="a b"',
            {"acr_values": "a b"},
        ),
        ('Bearer error_description="say \\"why\\""', {"error_description": 'say "why"'}),
        ('Basic realm="x"', None),
        (None, None),
    ],
)
def test_parse_challenge(header: str | None, expected: dict[str, str] | None) -> None:
    got = parse_challenge(header)
    if expected is None:
        assert got is None
    else:
        assert got is not None and expected.items() <= got.items()


def test_step_up_params_take_acr_values_and_a_numeric_max_age() -> None:
    assert step_up_params({"acr_values": "gold silver", "max_age": "60"}) == {
        "acr_values": "gold silver",
        "max_age": 60,
    }
    assert step_up_params({"max_age": "soon"}) == {}


def test_a_step_up_is_asked_for_and_the_request_retried_once(api: Api, token: Token) -> None:
    asked: list[tuple[dict[str, Any], str]] = []

    def step_up(wanted: dict[str, Any], reason: str) -> bool:
        asked.append((wanted, reason))
        token["access_token"] = "stronger-token"  # what the keeper's follower does after the sign-in
        return True

    registered(token, step_up)
    api.answers = [(401, STEP_UP)]
    answer = requests.get(api.url, auth=token, timeout=10)
    assert answer.status_code == 200 and [r.status_code for r in answer.history] == [401]
    assert api.seen == ["Bearer first-token", "Bearer stronger-token"]
    assert asked == [({"acr_values": "gold", "max_age": 5}, "A different authentication level is required")]


def test_a_second_refusal_is_the_callers_as_it_came(api: Api, token: Token) -> None:
    registered(token, lambda _w, _r: token.update(access_token="stronger-token") or True)
    api.answers = [(401, STEP_UP), (401, STEP_UP)]
    answer = requests.get(api.url, auth=token, timeout=10)
    assert answer.status_code == 401 and len(api.seen) == 2  # one retry, never a loop


def test_a_step_up_that_fails_returns_the_first_answer(api: Api, token: Token) -> None:
    registered(token, lambda _w, _r: False)  # closed window, timeout: no new token
    api.answers = [(401, STEP_UP)]
    answer = requests.get(api.url, auth=token, timeout=10)
    assert answer.status_code == 401 and len(api.seen) == 1


def test_invalid_token_renews_once_and_retries(api: Api, token: Token) -> None:
    renewals: list[int] = []

    def renew() -> bool:
        renewals.append(1)
        token["access_token"] = "renewed-token"
        return True

    renewer(token, renew)
    api.answers = [(401, 'Bearer error="invalid_token"')]
    assert requests.get(api.url, auth=token, timeout=10).status_code == 200
    assert renewals == [1] and api.seen[-1] == "Bearer renewed-token"


@pytest.mark.parametrize(
    "answer",
    [
        (401, 'Bearer error="insufficient_scope", scope="write"'),  # a scope is not a sign-in's to give
        (401, None),
        (403, STEP_UP),
        (401, 'Bearer error="insufficient_user_authentication"'),  # nothing to ask for
    ],
)
def test_other_refusals_are_not_retried(api: Api, token: Token, answer: tuple[int, str | None]) -> None:
    registered(token, lambda _w, _r: pytest.fail("no step-up for this answer"))
    renewer(token, lambda: pytest.fail("no renewal for this answer"))
    api.answers = [answer]
    assert requests.get(api.url, auth=token, timeout=10).status_code == answer[0]
    assert len(api.seen) == 1


def test_httpx_auth_retries_once_after_a_step_up(api: Api, token: Token) -> None:
    import httpx

    registered(token, lambda _w, _r: token.update(access_token="stronger-token") or True)
    api.answers = [(401, STEP_UP)]
    answer = httpx.get(api.url, auth=token.httpx_auth(), timeout=10)
    assert answer.status_code == 200 and api.seen == ["Bearer first-token", "Bearer stronger-token"]
    api.answers = [(401, STEP_UP), (401, STEP_UP)]
    assert httpx.get(api.url, auth=token.httpx_auth(), timeout=10).status_code == 401
    assert len(api.seen) == 4  # one retry per request
