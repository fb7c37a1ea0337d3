"""Error codes: the one list of the codes this package raises or sends, the OAuth registry's codes a
provider may answer with, and the one way a provider's unknown code gets in.

``AuthenticationError.error`` and ``KeeperError.error`` are typed ``Code``, so mypy refuses a typo at
a raise site. js/shared/messages.ts ``ErrorCode`` is the same list (tests/unit/test_contract_codes.py), and
the README's table of error codes lists it.
"""

from __future__ import annotations

from typing import Literal, NewType, Union, get_args

#: Every code this package itself raises or sends: the page's (js/shared/errors.ts SignInError), the kernel's
#: (``await``, a Token used too early or too late), the server's keeper's (docs/keeper.md) and the
#: native engine's (docs/native.md). Some share a name with a registered OAuth code, meaning the same.
ErrorCode = Literal[
    # The page, in the browser.
    "popup_blocked", "popup_closed", "timeout", "provider_unreachable", "discovery_invalid",
    "token_request_failed", "invalid_id_token", "invalid_response", "cancelled", "renewal_failed",
    "redirect_failed", "issuer_mismatch", "unknown_provider", "registry_unavailable", "no_server_extension",
    "widget_load_failed",
    # The server's keeper (docs/keeper.md), passed on to the page and the kernel.
    "state_mismatch", "unknown_session", "keeper_unavailable", "config", "invalid_request", "keeper_failed",
    "not_renewable",
    # RFC 8707 §2: the keeper's own refusal of a resource the provider refused or ignored.
    "invalid_target",
    # The kernel: from ``await`` and from using a Token.
    "cannot_wait", "not_signed_in", "token_expired",
    # The native engine: the device code's own lifetime ran out (RFC 8628 §3.5 names it so).
    "expired_token",
    # The Azure SDK adapter: an API's claims challenge the token cannot meet (docs/sdks.md).
    "insufficient_claims",
]  # fmt: skip

#: A provider's own codes, registered in the OAuth Extensions Error Registry (RFC 6749 §11.4): they
#: pass through under their own name. RFC 6749 §4.1.2.1 (authorization) and §5.2 (token endpoint),
#: RFC 6750 §3.1 (resource server), RFC 8628 §3.5 (device grant), RFC 8707 §2 (resource indicators),
#: RFC 9470 §3 (step-up), RFC 9449 §12 (DPoP), OpenID Connect Core §3.1.2.6.
ProviderErrorCode = Literal[
    "invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type",
    "invalid_scope", "server_error", "temporarily_unavailable",
    "invalid_client", "invalid_grant", "unsupported_grant_type",
    "invalid_token", "insufficient_scope",
    "authorization_pending", "slow_down", "expired_token",
    "invalid_target",
    "insufficient_user_authentication",
    "invalid_dpop_proof", "use_dpop_nonce",
    "interaction_required", "login_required", "account_selection_required", "consent_required",
    "invalid_request_uri", "invalid_request_object", "request_not_supported", "request_uri_not_supported",
    "registration_not_supported",
]  # fmt: skip

#: A code a provider sent that no list here names (RFC 6749 §5.2 lets it add its own): it gets in only
#: through ``provider_code``, where the provider's answer is read, or ``relayed_code``.
ProviderCode = NewType("ProviderCode", str)

#: What an error carries: one of ours, a registered one, or a provider's own.
Code = Union[ErrorCode, ProviderErrorCode, ProviderCode]
#: What an error message between page and kernel carries: ours, or one passed on as it came
#: (js/shared/messages.ts AnyErrorCode, compared by name by tests/unit/test_contract_messages.py).
AnyErrorCode = Union[ErrorCode, ProviderCode]

ERROR_CODES: frozenset[str] = frozenset(get_args(ErrorCode))
PROVIDER_ERROR_CODES: frozenset[str] = frozenset(get_args(ProviderErrorCode))


def provider_code(code: str) -> ProviderCode:
    """The ``error`` of a provider's answer, already held to RFC 6749 §5.2's character set by its
    reader (_native/checks/errors.py): it passes through under its own name."""
    return ProviderCode(code)


def relayed_code(code: object) -> Code:
    """A code another process of this package sent (the page's ``error`` message, the keeper's reply or
    event): one of ours or a provider's, passed on as it came."""
    return ProviderCode(str(code))
