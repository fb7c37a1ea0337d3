"""The token the user holds: a dict filled in place, whose repr never shows a token, and which
authenticates requests and httpx calls with whatever access token is current."""

from __future__ import annotations

import time
from collections.abc import Mapping, MutableMapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from ._errors import AuthenticationError

if TYPE_CHECKING:  # the SDKs are optional extras: imported only when a method below is called
    from aiohttp import ClientMiddlewareType

    from ._sdk.azure import AzureCredential
    from ._sdk.google import GoogleCredentials

#: The only fields that ever reach the kernel (docs/architecture.md): never a refresh token, an ID token,
#: a code or a PKCE verifier.
TOKEN_FIELDS = ("access_token", "expires_at", "scope", "token_type")

R = TypeVar("R")


def _mask(value: str) -> str:
    return f"{value[:4]}…({len(value)} chars)" if len(value) > 8 else "…"


def _when(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%H:%M:%S UTC")
    ago = int(time.time() - epoch)
    return f"{moment} ({ago // 60} min {ago % 60} s ago)"


class Token(dict[str, Any]):
    """``access_token``, ``expires_at``, ``scope`` and ``token_type``, kept current by the widget.

    Use it as a dict (``token["access_token"]``), or let it authenticate calls, always with the
    current access token: ``requests.get(url, auth=token)``, ``httpx.get(url, auth=token)``,
    ``headers=token.headers``, and for SDKs ``as_azure_credential()``, ``as_google_credentials()``,
    ``aiohttp_middleware(origin)`` (docs/sdks.md). Its repr masks the access token.
    """

    #: Set by the sign-in that fills this token: its last error explains a missing token.
    _reason: Callable[[], AuthenticationError | None] | None = None
    #: Set by that sign-in and its keeper follower: a stronger sign-in, a renewal now (_stepup.py).
    _step_up: Callable[[dict[str, Any], str], bool] | None = None
    _renew: Callable[[], bool] | None = None
    #: The SignIn that fills this token (_owner.py): a new one with the same token ends it.
    _filler: Any = None

    def __repr__(self) -> str:
        shown = {k: (_mask(v) if k == "access_token" and isinstance(v, str) else v) for k, v in self.items()}
        return f"Token({shown!r})"

    __str__ = __repr__

    @property
    def expires_at(self) -> float | None:
        """When the access token expires, in seconds since the epoch (None: not said)."""
        value = self.get("expires_at")
        return float(value) if value is not None else None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and time.time() >= self.expires_at

    @property
    def access_token(self) -> str:
        """The current access token; raises AuthenticationError, saying what to do, if there is none."""
        token = self.get("access_token")
        if self.expired:  # first: an expired token's access_token is removed (the page said so)
            error = self._reason() if self._reason else None
            why = f" {error.message}" if error else ""
            raise AuthenticationError(
                "token_expired",
                f"The access token expired at {_when(self.expires_at or 0)}.{why} "
                "Run authenticate() again to sign in.",
            )
        if not token:
            error = self._reason() if self._reason else None
            why = f" Sign-in failed: {error.message}" if error else " Finish signing in in the widget."
            raise AuthenticationError("not_signed_in", f"There is no access token yet.{why}")
        return str(token)

    @property
    def headers(self) -> dict[str, str]:
        """``{"Authorization": "Bearer …"}`` with the current access token (RFC 6750 §2.1)."""
        token_type = str(self.get("token_type") or "Bearer")
        scheme = "Bearer" if token_type.lower() == "bearer" else token_type
        return {"Authorization": f"{scheme} {self.access_token}"}

    def httpx_auth(self) -> Any:
        """For httpx: ``httpx.get(url, auth=token.httpx_auth())`` sends the current token and retries
        once after a renewal or a stronger sign-in, as ``auth=token`` does with requests
        (docs/stepup.md). ``auth=token`` works with httpx too, without the retry."""
        from ._stepup import httpx_auth

        return httpx_auth(self)

    def for_resource(self, resource: str) -> Token:
        """A Token for one API, from this sign-in: ``resource`` is a name from the config's
        ``resources`` or the API's URI (RFC 8707). The keeper that holds the sign-in (the server's, or
        the process's own without a notebook frontend) gets it with the refresh token it holds — no
        window, no click — and renews it like this one. Raises AuthenticationError
        (``invalid_target``) when the provider will not give one, naming the provider."""
        from ._follow import for_resource

        return for_resource(self._filler, resource)

    def __call__(self, request: R) -> R:
        """Auth for requests (``auth=token``) and httpx (a function auth): sets Authorization. With
        requests, a 401 that a renewal or a stronger sign-in can answer is retried once with the new
        token (docs/stepup.md)."""
        request.headers.update(self.headers)  # type: ignore[attr-defined]
        register = getattr(request, "register_hook", None)
        if callable(register) and not getattr(request, "_oidc_hooked", False):
            from ._stepup import requests_hook

            register("response", requests_hook(self))
            request._oidc_hooked = True  # type: ignore[attr-defined]
        return request

    def _current(self) -> tuple[str, float | None]:
        """The access token and its expiry, read together: the follower thread may fill this dict
        between two reads, and a new token with the old one's expiry (or the reverse) would be wrong.
        Copying a dict is one step for other threads; the copy is then checked like the token itself."""
        snapshot = Token(self)
        snapshot._reason = self._reason
        return snapshot.access_token, snapshot.expires_at

    def as_azure_credential(self) -> AzureCredential:
        """An azure-core ``TokenCredential`` (Azure SDK clients' ``credential=``) that hands out this
        token's current access token on every request. Needs ``pip install 'ipython-oidc-client[azure]'``;
        see docs/sdks.md for the scopes it is asked for and why it does not use them."""
        from ._sdk.azure import AzureCredential

        return AzureCredential(self)

    def as_google_credentials(self) -> GoogleCredentials:
        """google-auth ``Credentials`` (google-cloud clients' ``credentials=``, ``AuthorizedSession``)
        that take this token's current access token before every request. Needs
        ``pip install 'ipython-oidc-client[google]'``."""
        from ._sdk.google import GoogleCredentials

        return GoogleCredentials(self)

    def aiohttp_middleware(self, origin: str, *origins: str) -> ClientMiddlewareType:
        """An aiohttp (>= 3.12) client middleware that sets Authorization with the current access token
        on each request to ``origin`` (and ``origins``), e.g. ``"https://api.example"``, and on no
        other: aiohttp runs middlewares again for each redirect, so one that always added the token
        would give it to whatever host a redirect names.
        Needs ``pip install 'ipython-oidc-client[aiohttp]'``."""
        from ._sdk.aiohttp import middleware

        return middleware(self, (origin, *origins))


def parse_token_message(content: Mapping[str, Any]) -> dict[str, Any]:
    """Take the token fields out of a page message, checked; anything else is dropped."""
    access_token = content.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise ValueError("token message without an access_token")
    expires_at = content.get("expires_at")
    if expires_at is not None and (isinstance(expires_at, bool) or not isinstance(expires_at, (int, float))):
        raise ValueError("token message with a non-numeric expires_at")
    scope = content.get("scope")
    token_type = content.get("token_type") or "Bearer"
    return {
        "access_token": access_token,
        "expires_at": expires_at,
        "scope": scope if isinstance(scope, str) else None,
        "token_type": str(token_type),
    }


def token_to_fill(token: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
    """The dict a sign-in fills in place: the caller's, or a new Token."""
    if token is None:
        return Token()
    if not isinstance(token, MutableMapping):
        raise TypeError(
            f"token must be a dict (it is filled in place) or omitted, got {type(token).__name__}."
        )
    return token


def fill(token: MutableMapping[str, Any], fields: Mapping[str, Any]) -> None:
    """Update ``token`` in place with exactly the token fields."""
    token.update({k: fields[k] for k in TOKEN_FIELDS})


def expire(token: MutableMapping[str, Any]) -> None:
    """The access token is gone (expired, and not renewed): remove it, keep ``expires_at`` — moved to
    now if this clock is behind the one that said so — so that ``Token.expired`` turns true and a
    loop waiting for it ends."""
    token.pop("access_token", None)
    expires_at = token.get("expires_at")
    now = time.time()
    token["expires_at"] = min(expires_at, now) if isinstance(expires_at, (int, float)) else now


def clear(token: MutableMapping[str, Any]) -> None:
    for key in TOKEN_FIELDS:
        token.pop(key, None)
