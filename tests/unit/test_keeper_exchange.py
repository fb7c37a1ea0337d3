"""Tokens per API by token exchange (RFC 8693, docs/resources.md): where the config's target says
``"exchange": true``, the keeper exchanges the sign-in's access token for the API's, keeps no refresh
token for it, exchanges again at each renewal from the sign-in's current token, stops once the sign-in
has ended, and says plainly when the provider does not offer the grant or refuses the target."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fake_idp import FakeIdp, sign_in

from ipython_oidc_client._errors import ConfigError
from ipython_oidc_client._keeper.keeper import Keeper
from ipython_oidc_client._keeper.wire import KeeperError
from ipython_oidc_client._native.config import native_config

GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
REPORTS = {"resource": "https://reports.example/", "exchange": True, "scope": "reports:read"}
LEDGER = {"audience": "ledger-api", "exchange": True}


def exchanges(idp: FakeIdp) -> list[dict[str, str]]:
    return [f for path, f, _ in idp.posts if path == "/token" and f.get("grant_type") == GRANT]


def signed_in(keeper: Keeper, idp: FakeIdp, **config: Any) -> dict[str, Any]:
    return sign_in(keeper, idp, "w1", resources={"reports": REPORTS, "ledger": LEDGER}, **config)


def test_the_sign_ins_access_token_is_exchanged_for_the_apis(keeper: Keeper, idp: FakeIdp) -> None:
    view = signed_in(keeper, idp)
    root = keeper.state.sessions[view["id"]]
    assert root.tokens is not None
    got = keeper.resource("w1", "c1", "reports")
    [sent] = exchanges(idp)
    assert sent["subject_token"] == root.tokens.access_token
    assert sent["subject_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert sent["requested_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert (sent["resource"], sent["scope"], "audience" in sent) == (
        REPORTS["resource"],
        "reports:read",
        False,
    )
    assert got["session"]["resource"] == REPORTS["resource"] and got["token"]["access_token"]
    # No refresh token is kept for it, yet it is renewable (by exchange); asked again: the same.
    child = keeper.state.sessions[got["session"]["id"]]
    assert child.tokens is not None and child.tokens.refresh_token is None and got["session"]["renewable"]
    assert keeper.resource("w1", "c2", "reports")["session"]["id"] == child.id and len(exchanges(idp)) == 1
    # By audience: the key it is kept and shown by is the audience.
    by_audience = keeper.resource("w1", "c3", "ledger")
    assert exchanges(idp)[-1]["audience"] == "ledger-api" and "resource" not in exchanges(idp)[-1]
    assert by_audience["session"]["resource"] == "ledger-api"


def test_no_refresh_token_is_needed(keeper: Keeper, idp: FakeIdp) -> None:
    idp.refresh = False  # a sign-in without offline_access
    signed_in(keeper, idp)
    assert keeper.resource("w1", "c1", "reports")["token"]["access_token"]
    # A refresh-grant target cannot: it says what to ask for.
    with pytest.raises(KeeperError) as refused:
        keeper.resource("w1", "c2", "https://storage.example/")
    assert refused.value.error == "not_renewable"


def test_each_renewal_exchanges_the_sign_ins_current_token(keeper: Keeper, idp: FakeIdp) -> None:
    view = signed_in(keeper, idp)
    root = keeper.state.sessions[view["id"]]
    child = keeper.state.sessions[keeper.resource("w1", "c1", "reports")["session"]["id"]]
    keeper._renew(root)  # the sign-in's own renewal: a refresh grant, a new access token
    assert root.tokens is not None and child.tokens is not None
    before = child.tokens.access_token
    keeper._renew(child)
    assert exchanges(idp)[-1]["subject_token"] == root.tokens.access_token
    assert child.tokens.access_token != before and keeper.view(child.id)["session"]["error"] is None


def test_once_the_sign_in_has_ended_the_exchange_stops(keeper: Keeper, idp: FakeIdp) -> None:
    view = signed_in(keeper, idp)
    root = keeper.state.sessions[view["id"]]
    child = keeper.state.sessions[keeper.resource("w1", "c1", "reports")["session"]["id"]]
    root.tokens = None  # as after the sign-in's token expired
    keeper._renew(child)
    assert len(exchanges(idp)) == 1  # nothing to exchange from: no request
    error = keeper.view(child.id)["session"]["error"]
    assert error["error"] == "renewal_failed" and "exchanged from has ended" in error["message"]
    assert not child.exchanged and child.due_kind == "expire"  # final: it lives until it expires


def test_a_provider_without_the_grant_is_said_before_any_request(keeper: Keeper, idp: FakeIdp) -> None:
    idp.metadata_extra = {"grant_types_supported": ["authorization_code", "refresh_token"]}
    signed_in(keeper, idp)
    with pytest.raises(KeeperError) as refused:
        keeper.resource("w1", "c1", "reports")
    assert refused.value.error == "unsupported_grant_type" and exchanges(idp) == []
    assert f"The provider {idp.issuer} does not offer token exchange (RFC 8693)" in refused.value.message
    assert "resources['reports']" in refused.value.message and 'Remove "exchange"' in refused.value.message


@pytest.mark.parametrize(
    ("answer", "code", "said"),
    [
        ({"error": "unsupported_grant_type"}, "unsupported_grant_type", "does not offer token exchange"),
        ({"error": "unauthorized_client"}, "unsupported_grant_type", "does not offer token exchange"),
        ({"error": "invalid_target"}, "invalid_target", "resource=https://reports.example/; invalid_target"),
        ({"error": "invalid_request", "error_description": "bad"}, "invalid_request", "bad"),
    ],
)
def test_a_refusal_names_the_entry_and_what_to_change(
    keeper: Keeper, idp: FakeIdp, answer: dict[str, str], code: str, said: str
) -> None:
    signed_in(keeper, idp)
    idp.token_errors.append((400, answer))
    with pytest.raises(KeeperError) as refused:
        keeper.resource("w1", "c1", "reports")
    assert refused.value.error == code and said in refused.value.message


def test_an_answer_that_is_not_an_access_token_is_refused(keeper: Keeper, idp: FakeIdp) -> None:
    signed_in(keeper, idp)
    idp.exchange_issued = "urn:ietf:params:oauth:token-type:id_token"
    with pytest.raises(KeeperError, match=r"issued_token_type .*not an access token \(RFC 8693 §2.2.1\)"):
        keeper.resource("w1", "c1", "reports")
    idp.exchange_issued = ""  # §2.2.1: required
    with pytest.raises(KeeperError, match="issued_token_type None"):
        keeper.resource("w1", "c1", "reports")


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ({"audience": "x"}, "only a token exchange sends (RFC 8693 §2.1)"),
        ({"exchange": True}, "needs a 'resource'"),
        ({"resource": "https://a.example/", "exchange": "yes"}, "must be true or false"),
        ({"resource": "https://a.example/", "audiences": "x"}, "unknown keys audiences"),
        ({"resource": "https://a.example/#f", "exchange": True}, "without a fragment"),
        (42, "must be a URI string or an object"),
    ],
)
def test_a_wrong_target_is_a_config_error(entry: Any, said: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(said)) as wrong:
        native_config({"authority": "https://idp.example", "client_id": "c", "resources": {"r": entry}})
    assert wrong.value.key == "resources" and "resources['r']" in str(wrong.value)


def test_only_refresh_grant_targets_are_asked_for_at_sign_in() -> None:
    resources = {"s": "https://storage.example/", "r": REPORTS, "n": {"resource": "https://n.example/"}}
    cfg = native_config({"authority": "https://idp.example", "client_id": "c", "resources": resources})
    assert cfg.resources == ("https://storage.example/", "https://n.example/")
