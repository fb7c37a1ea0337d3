"""What a provider writes reaches a person or a kernel cut and cleaned (_text.py): an error
description, the issuer of a discovery document or an answer, a name claim, the text of a JWT library
error; and a URL that urllib cannot even split is the project's own error, not a ValueError."""

from __future__ import annotations

from typing import Any

import pytest

from ipython_oidc_client._config import check_config
from ipython_oidc_client._errors import AuthenticationError, ConfigError
from ipython_oidc_client._keeper.session import display_name
from ipython_oidc_client._native.checks import check_discovery, check_loopback_answer, token_error
from ipython_oidc_client._text import LIMIT, shown

AUTHORITY = "https://idp.example"
#: 200 KB of provider text with a right-to-left override, a newline and an escape character in it.
HOSTILE = "\u202eelpmaxe.live" + "\n\x1b[31m" + "x" * 200_000


def _clean(text: str) -> bool:
    return len(text) < 2 * LIMIT + 300 and all(c not in text for c in ("\u202e", "\n", "\x1b"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain text", "plain text"),
        ("a\u202eb\u2066c\u200fd", "abcd"),  # bidi overrides, isolates and marks
        ("line\nforged\r\x00\x1b[2J", "lineforged[2J"),
        ("x" * (LIMIT + 1), "x" * (LIMIT - 1) + "…"),
        ("x" * LIMIT, "x" * LIMIT),
        (12, "12"),
    ],
)
def test_shown_keeps_printable_characters_up_to_the_limit(value: Any, expected: str) -> None:
    assert shown(value) == expected


def test_a_discovery_issuer_of_200_kb_with_a_bidi_override_is_shown_cut_and_clean() -> None:
    doc = {"issuer": HOSTILE, "token_endpoint": f"{AUTHORITY}/t", "jwks_uri": f"{AUTHORITY}/k"}
    with pytest.raises(AuthenticationError) as err:
        check_discovery(doc, AUTHORITY, f"{AUTHORITY}/.well-known/openid-configuration")
    assert err.value.error == "discovery_invalid" and _clean(err.value.message), len(err.value.message)


def test_an_endpoint_urllib_cannot_split_is_discovery_invalid() -> None:
    doc = {"issuer": AUTHORITY, "token_endpoint": "https://[", "jwks_uri": f"{AUTHORITY}/k"}
    with pytest.raises(AuthenticationError) as err:
        check_discovery(doc, AUTHORITY, "given")
    assert err.value.error == "discovery_invalid" and "which is not a URL" in err.value.message


@pytest.mark.parametrize("key", ["authority", "redirect_uri", "metadataUrl"])
def test_a_config_url_urllib_cannot_split_is_a_config_error(key: str) -> None:
    config = {"authority": AUTHORITY, "client_id": "c", key: "https://["}
    with pytest.raises(ConfigError, match="is not a URL"):
        check_config(config)


def test_a_token_error_description_is_cut_and_clean() -> None:
    err = token_error(400, {"error": "invalid_grant", "error_description": HOSTILE}, "token request")
    assert err.error == "invalid_grant" and _clean(err.message)


def test_an_answer_from_another_issuer_is_named_cut_and_clean() -> None:
    with pytest.raises(AuthenticationError) as err:
        check_loopback_answer({"state": ["s"], "code": ["c"], "iss": [HOSTILE]}, "s", AUTHORITY)
    assert err.value.error == "issuer_mismatch" and _clean(err.value.message)


def test_a_refusal_in_the_answer_is_cut_and_clean() -> None:
    query = {"state": ["s"], "error": ["access_denied"], "error_description": [HOSTILE]}
    with pytest.raises(AuthenticationError) as err:
        check_loopback_answer(query, "s", AUTHORITY)
    assert err.value.error == "access_denied" and _clean(err.value.message)


def test_a_name_claim_is_shown_cut_and_clean() -> None:
    name = display_name({"name": HOSTILE})
    assert name is not None and _clean(name) and name.startswith("elpmaxe.live")
