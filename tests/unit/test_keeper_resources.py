"""Tokens per API from one sign-in (docs/resources.md): the keeper redeems the sign-in's refresh token
with RFC 8707's ``resource``, keeps the result as a session a kernel follows, gives the same one again,
renews it, shares a rotated refresh token with the whole family, ends it with the sign-in, and says
plainly when the provider will not or cannot give one."""

from __future__ import annotations

from typing import Any

import pytest
from fake_idp import FakeIdp, collector, sign_in

from ipython_oidc_client._errors import ConfigError
from ipython_oidc_client._keeper.keeper import Keeper
from ipython_oidc_client._keeper.wire import KeeperError
from ipython_oidc_client._native.config import native_config

API = "https://api.example/"
STORAGE = "https://storage.example/"


def grants(idp: FakeIdp) -> list[tuple[str | None, str | None]]:
    return [(f.get("grant_type"), f.get("resource")) for path, f, _ in idp.posts if path == "/token"]


def test_a_token_for_an_api_is_a_refresh_grant_with_the_resource(keeper: Keeper, idp: FakeIdp) -> None:
    view = sign_in(keeper, idp, "w1")
    got = keeper.resource("w1", "w1-api", API)
    assert got["session"]["resource"] == API and got["session"]["status"] == "signed_in"
    assert got["token"]["access_token"] and got["session"]["id"] != view["id"]
    assert grants(idp) == [("authorization_code", None), ("refresh_token", API)]
    # Asked again (another kernel's follower, the same cell run again): the same token, no grant.
    again = keeper.resource("w1", "w1-api-2", API)
    assert again["session"]["id"] == got["session"]["id"] and len(grants(idp)) == 2
    # Its follower hears of it like any session's.
    events: list[dict[str, Any]] = []
    keeper.follow("w1-api-2", collector(events))
    assert events[-1]["token"]["access_token"] == got["token"]["access_token"]


def test_a_name_from_the_configs_resources(keeper: Keeper, idp: FakeIdp) -> None:
    sign_in(keeper, idp, "w1", resources={"storage": STORAGE})
    assert keeper.resource("w1", "c1", "storage")["session"]["resource"] == STORAGE
    with pytest.raises(
        KeeperError, match=r"neither an API named in this sign-in's config \(named: storage\)"
    ):
        keeper.resource("w1", "c2", "not-a-name")


def test_named_resources_are_asked_for_at_sign_in() -> None:
    cfg = native_config(
        {"authority": "https://idp.example", "client_id": "c", "resource": API, "resources": {"s": STORAGE}}
    )
    assert cfg.resources == (API, STORAGE)  # RFC 8707 §2.1: the grant must cover them
    with pytest.raises(ConfigError, match="absolute URI without a fragment"):
        native_config({"authority": "https://idp.example", "client_id": "c", "resources": {"s": "/relative"}})


def test_the_api_token_is_renewed_and_a_rotated_refresh_token_is_shared(keeper: Keeper, idp: FakeIdp) -> None:
    idp.rotate = True  # each refresh token works once
    view = sign_in(keeper, idp, "w1")
    child = keeper.resource("w1", "c1", API)["session"]
    root, api = keeper.state.sessions[view["id"]], keeper.state.sessions[child["id"]]
    assert root.tokens is not None and api.tokens is not None
    assert root.tokens.refresh_token == api.tokens.refresh_token  # the one the API's grant rotated to
    keeper._renew(root)  # with the rotated token: refused if it had kept the used one
    keeper._renew(api)
    assert keeper.view(view["id"])["session"]["error"] is None
    assert keeper.view(child["id"])["session"]["error"] is None
    assert grants(idp)[-2:] == [("refresh_token", None), ("refresh_token", API)]


def test_signing_out_ends_the_apis_tokens_too(keeper: Keeper, idp: FakeIdp) -> None:
    view = sign_in(keeper, idp, "w1")
    child = keeper.resource("w1", "c1", API)["session"]
    keeper.logout(view["id"], "")
    assert keeper.view(child["id"])["session"]["status"] == "signed_out"
    with pytest.raises(KeeperError, match=r"sign in first|refresh token"):
        keeper.resource("w1", "c2", STORAGE)


def test_a_refusal_names_the_provider_and_the_parameter(keeper: Keeper, idp: FakeIdp) -> None:
    sign_in(keeper, idp, "w1")
    idp.token_errors.append((400, {"error": "invalid_target", "error_description": "no such resource"}))
    with pytest.raises(KeeperError) as refused:
        keeper.resource("w1", "c1", API)
    assert refused.value.error == "invalid_target"
    assert f"The provider {idp.issuer} refused a token for the resource {API} (invalid_target; RFC 8707)" in (
        refused.value.message
    )


def test_a_provider_that_ignores_the_parameter_is_said(keeper: Keeper, idp: FakeIdp) -> None:
    sign_in(keeper, idp, "w1")
    idp.resource_audience = "notebook"  # Keycloak's way: a token for the client, whatever was asked
    with pytest.raises(KeeperError, match="ignored the 'resource' parameter"):
        keeper.resource("w1", "c1", API)
    idp.resource_audience = False  # an opaque token: nothing to read, taken as given
    assert keeper.resource("w1", "c2", API)["session"]["resource"] == API


def test_no_sign_in_no_token(keeper: Keeper) -> None:
    with pytest.raises(KeeperError) as refused:
        keeper.resource("nobody", "c1", API)
    assert refused.value.error == "not_signed_in"
