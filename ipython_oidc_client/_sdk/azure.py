"""``Token.as_azure_credential()``: azure-core's ``TokenCredential`` and ``SupportsTokenInfo``."""

from __future__ import annotations

import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .._errors import AuthenticationError
from . import missing

try:
    from azure.core.credentials import AccessToken, AccessTokenInfo, TokenRequestOptions
except ImportError as e:
    raise missing("azure-core", "azure", "as_azure_credential()") from e

if TYPE_CHECKING:
    from .._token import Token

#: The ``refresh_on`` of every token handed out: a moment long past. azure-core's bearer token policy
#: keeps a token until its ``refresh_on`` (plus up to 60 s of jitter) or, without one, until 5 min
#: before it expires; a refresh time long past makes it ask again before each request, so that a
#: token renewed early, replaced by another sign-in or removed by sign-out is what the next request
#: carries. Asking costs a dict copy, no request.
ASK_AGAIN_AT = 1

#: How long a token is said to live when the provider did not say (azure-core needs a number): short,
#: so that anything that caches by expiry asks again soon.
UNKNOWN_LIFETIME = 60

CLAIMS_CHALLENGE = (
    "The API refused the token and asked for one with other claims (a claims challenge, e.g. after a "
    "Continuous Access Evaluation event, or for a stronger sign-in). This credential hands out the "
    "token of your sign-in only and cannot ask the provider for those claims: run authenticate() again "
    "to sign in anew, with the acr_values or max_age the API asks for if it wants a stronger sign-in."
)


class AzureCredential:
    """Hands out the Token's current access token, whatever scopes the client asks for.

    The scopes are not used to get a token: the token is the one of the sign-in, for the sign-in's
    scope (or resource). Refusing scopes that differ would refuse nearly every Azure SDK client,
    which asks for its own service's ``…/.default`` — a name the sign-in's scope seldom spells the
    same way even when it is that service's (``…/user_impersonation``) — while the token goes only to
    the endpoint the client was given, as with ``auth=token``; the API checks the audience. A claims
    challenge (``claims``) is refused with ``insufficient_claims``: the same token again would only
    be refused again. ``tenant_id`` and ``enable_cae`` do not apply to a token already issued.
    """

    def __init__(self, token: Token) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "AzureCredential(the current access token of a Token)"

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        access_token, expires_on = self._take(claims)
        return AccessToken(access_token, expires_on)

    def get_token_info(self, *scopes: str, options: TokenRequestOptions | None = None) -> AccessTokenInfo:
        access_token, expires_on = self._take((options or {}).get("claims"))
        return AccessTokenInfo(access_token, expires_on, refresh_on=ASK_AGAIN_AT)

    def _take(self, claims: str | None) -> tuple[str, int]:
        if claims:
            raise AuthenticationError("insufficient_claims", CLAIMS_CHALLENGE)
        access_token, expires_at = self._token._current()
        expires_on = int(expires_at) if expires_at is not None else int(time.time()) + UNKNOWN_LIFETIME
        return access_token, expires_on

    # SupportsTokenInfo is a context manager with close(): there is nothing to release, the Token
    # belongs to the sign-in and outlives every client that uses it.
    def close(self) -> None:
        return None

    def __enter__(self) -> AzureCredential:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None
