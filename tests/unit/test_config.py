"""check_config / check_timeout: what authenticate() accepts, and what each refusal says."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from ipython_oidc_client import ConfigError
from ipython_oidc_client._config import check_config, check_renew_before, check_timeout

AUTHORITY = "https://idp.example/realms/x"


def config(**extra: Any) -> dict[str, Any]:
    return {"authority": AUTHORITY, "client_id": "notebook", **extra}


def refusal(cfg: Any) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        check_config(cfg)
    return info.value


def test_minimal_config_passes_with_openid_scope_by_default() -> None:
    assert check_config(config()) == {"authority": AUTHORITY, "client_id": "notebook", "scope": "openid"}


@pytest.mark.parametrize("key", ["authority", "client_id"])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_or_empty_required_key_is_named_with_the_fix(key: str, value: str | None) -> None:
    cfg = config()
    if value is None:
        del cfg[key]
    else:
        cfg[key] = value
    error = refusal(cfg)
    assert error.key == key
    assert "missing" in str(error) and f"add the provider's {key}" in str(error)


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        ("clientId", "client_id"),
        ("client_Id", "client_id"),
        ("scopes", "scope"),
        ("issuer", "authority"),
        ("redirectUri", "redirect_uri"),
        ("autority", "authority"),
    ],
)
def test_unknown_key_suggests_the_closest_valid_one(wrong: str, right: str) -> None:
    error = refusal(config(**{wrong: "x"}))
    assert error.key == wrong
    assert f"Did you mean {right!r}?" in str(error)


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("client_secret", "cannot keep a secret"),
        ("disablePKCE", "PKCE is required"),
        ("userStore", "never in the page"),
        ("automaticSilentRenew", "the server's token keeper the tokens and their lifetime"),
    ],
)
def test_refused_key_raises_with_its_reason(key: str, reason: str) -> None:
    error = refusal(config(**{key: "x"}))
    assert error.key == key
    assert reason in str(error) and re.search(f"[Rr]emove {key!r}", str(error))


@pytest.mark.parametrize(
    "authority",
    [
        "http://idp.example/realms/x",
        "http://10.0.0.1/",
        "http://localhost.evil.example/",
        "ftp://idp.example/",
    ],
)
def test_authority_without_https_on_a_non_loopback_host_is_refused(authority: str) -> None:
    error = refusal(config(authority=authority))
    assert error.key == "authority" and "https" in str(error)


@pytest.mark.parametrize(
    "authority",
    ["http://127.0.0.1:8080/realms/x", "http://localhost:8080/", "http://[::1]:8080/", AUTHORITY],
)
def test_https_or_loopback_http_authority_is_accepted(authority: str) -> None:
    assert check_config(config(authority=authority))["authority"] == authority


@pytest.mark.parametrize(
    "authority",
    [
        "https://user:pass@idp.example/",
        "https://user@idp.example/",
        "https://:@idp.example/",
        "https://idp.example/#x",
    ],
)
def test_authority_with_credentials_or_fragment_is_refused(authority: str) -> None:
    assert refusal(config(authority=authority)).key == "authority"


@pytest.mark.parametrize("response_type", ["token", "id_token token", "code id_token"])
def test_implicit_or_hybrid_response_type_is_refused_citing_rfc_9700(response_type: str) -> None:
    error = refusal(config(response_type=response_type))
    assert error.key == "response_type" and "RFC 9700" in str(error)


def test_response_type_code_is_accepted_and_removed() -> None:
    assert "response_type" not in check_config(config(response_type="code"))


def test_scope_without_openid_is_refused() -> None:
    error = refusal(config(scope="profile openidx"))
    assert error.key == "scope" and "Add 'openid'" in str(error)


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [("max_age", "5", "int"), ("max_age", True, "int"), ("extraQueryParams", "x", "dict")],
)
def test_value_of_wrong_type_is_refused_naming_the_type(key: str, value: Any, named: str) -> None:
    error = refusal(config(**{key: value}))
    assert error.key == key
    assert f"must be a {named}" in str(error) and type(value).__name__ in str(error)


@pytest.mark.parametrize(
    "param", ["state", "nonce", "code_challenge", "redirect_uri", "client_id", "request", "request_uri"]
)
def test_extra_query_params_cannot_replace_request_parameters(param: str) -> None:
    error = refusal(config(extraQueryParams={"kc_idp_hint": "github", param: "attacker"}))
    assert error.key == "extraQueryParams" and repr(param) in str(error)


@pytest.mark.parametrize(
    "param", ["client_secret", "client_assertion", "code", "code_verifier", "grant_type", "redirect_uri"]
)
def test_extra_token_params_cannot_replace_the_code_verifier_or_add_a_secret(param: str) -> None:
    error = refusal(config(extraTokenParams={"audience": "api", param: "attacker"}))
    assert error.key == "extraTokenParams" and repr(param) in str(error)


def test_extra_token_params_of_other_names_are_accepted() -> None:
    assert check_config(config(extraTokenParams={"audience": "api"}))["extraTokenParams"] == {
        "audience": "api"
    }


@pytest.mark.parametrize("key", ["metadata", "metadataSeed"])
@pytest.mark.parametrize("field", ["token_endpoint", "authorization_endpoint", "jwks_uri"])
def test_plain_http_endpoint_in_metadata_is_refused(key: str, field: str) -> None:
    error = refusal(config(**{key: {field: "http://idp.example/x"}}))
    assert error.key is not None and error.key.startswith(key) and field in error.key


def test_https_endpoints_in_metadata_seed_are_accepted() -> None:
    seed = {"token_endpoint": "https://idp.example/token", "end_session_endpoint": "https://idp.example/x"}
    assert check_config(config(metadataSeed=seed))["metadataSeed"] == seed


def test_popup_redirect_uri_becomes_redirect_uri() -> None:
    uri = "https://hub.example/hub/user-redirect/oidc/redirect.html"
    checked = check_config(config(popup_redirect_uri=uri))
    assert checked["redirect_uri"] == uri and "popup_redirect_uri" not in checked


def test_conflicting_redirect_uri_and_popup_redirect_uri_are_refused() -> None:
    cfg = config(redirect_uri="https://a.example/cb", popup_redirect_uri="https://b.example/cb")
    assert refusal(cfg).key == "popup_redirect_uri"


@pytest.mark.parametrize("cfg", [None, "https://idp.example", [("authority", AUTHORITY)]])
def test_config_that_is_not_a_mapping_is_refused(cfg: Any) -> None:
    error = refusal(cfg)
    assert error.key is None and "must be a dict" in str(error)


@pytest.mark.parametrize("timeout", [0.5, 1, 120.0, 3600])
def test_timeout_in_range_is_accepted(timeout: float) -> None:
    assert check_timeout(timeout) == float(timeout)


@pytest.mark.parametrize("timeout", [0, -1, True, "10", 4000, None])
def test_timeout_out_of_range_or_not_a_number_is_refused(timeout: Any) -> None:
    with pytest.raises(ConfigError, match="timeout must be"):
        check_timeout(timeout)


def test_input_config_is_not_mutated() -> None:
    cfg = config(
        response_type="code",
        popup_redirect_uri="https://hub.example/oidc/redirect.html",
        extraQueryParams={"kc_idp_hint": "github"},
    )
    before = copy.deepcopy(cfg)
    checked = check_config(cfg)
    assert cfg == before
    assert checked is not cfg


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1, "60", True])
def test_renew_before_is_a_finite_number_of_seconds(value: object) -> None:
    with pytest.raises(ConfigError, match="renew_before must be a number of seconds"):
        check_renew_before(value)
