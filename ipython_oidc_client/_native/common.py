"""What both flows share: discovery, the token request, the ID token check, renewal. Runs in the
token keeper (``_keeper``), the only process that ever holds a refresh or ID token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from .._errors import AuthenticationError
from ._http import Http, Unreachable
from .checks import (
    NoMatchingKey,
    TokenResponse,
    check_discovery,
    parse_token_response,
    token_error,
    validate_id_token,
)
from .config import NativeConfig

if TYPE_CHECKING:
    from .._protocol import Verification


class Say(Protocol):
    """How a flow tells the user something: a line of text, and for the device grant's link the same
    as fields (``verification``), for a widget to show."""

    def __call__(self, text: str, verification: Verification | None = None, /) -> None: ...


def discover(cfg: NativeConfig, http: Http, needs: tuple[str, ...]) -> dict[str, Any]:
    """The provider's metadata, checked for the flow's ``needs`` (OpenID Connect Discovery 1.0 §4)."""
    if cfg.metadata is not None:
        url = "given in 'metadata'"
        metadata: Any = dict(cfg.metadata)
    else:
        url = cfg.discovery_url
        metadata = http.fetch(url, "discovery document")
        if isinstance(metadata, dict):
            metadata = {**metadata, **cfg.metadata_seed}
    return check_discovery(metadata, cfg.authority, url, needs)


def token_request(
    http: Http, metadata: dict[str, Any], data: dict[str, str], what: str, auth: Any = None
) -> tuple[int, Any]:
    """POST to the token endpoint; ``auth``: a confidential client's ``ClientAuth`` (``_keeper.clients``),
    or None for a public client, which sends its ``client_id`` alone (RFC 6749 §3.2.1)."""
    headers: dict[str, str] = {}
    if auth is not None:
        data, headers = auth.apply(data, metadata["token_endpoint"], metadata)
    try:
        return http.post_form(metadata["token_endpoint"], data, headers)
    except Unreachable as err:
        raise AuthenticationError(
            "token_request_failed", f"The {what} to {metadata['token_endpoint']} failed ({err})."
        ) from None


def refused(status: int, body: Any, what: str, auth: Any = None) -> AuthenticationError:
    """The provider's refusal; a refusal of a confidential client's credentials says who can fix it."""
    err = token_error(status, body, what)
    return auth.explain(err) if auth is not None else err


class Keys:
    """The provider's signing keys (its ``jwks_uri``), fetched when first needed and once more when an
    ID token names a key the set lacks — a key rotated after the last fetch (Core §10.1.1)."""

    def __init__(self, http: Http, uri: str) -> None:
        self.http = http
        self.uri = uri
        self._jwks: Any = None

    def get(self, reload: bool = False) -> Any:
        if self._jwks is None or reload:
            self._jwks = self.http.fetch(self.uri, "key set (jwks_uri)")
        return self._jwks


class Validated:
    """A token response whose ID token passed validation; ``subject`` is the user it is about,
    ``metadata`` the checked discovery document it came with."""

    def __init__(
        self,
        tokens: TokenResponse,
        subject: str | None,
        metadata: dict[str, Any],
        claims: dict[str, Any] | None = None,
    ) -> None:
        self.tokens = tokens
        self.subject = subject
        self.metadata = metadata
        #: The validated ID token's claims (None when the response carried no ID token).
        self.claims = claims


def accept_tokens(
    body: Any,
    cfg: NativeConfig,
    metadata: dict[str, Any],
    http: Http,
    *,
    nonce: str | None,
    subject: str | None = None,
    id_token_required: bool = True,
    keys: Keys | None = None,
) -> Validated:
    """Check the token response and validate its ID token before anything leaves this process.

    ``keys``: the provider's JWKS, kept between calls (the keeper's); a new one is fetched if omitted."""
    tokens = parse_token_response(body, cfg.scope)
    if tokens.id_token is None:
        if id_token_required:
            raise AuthenticationError(
                "invalid_id_token",
                "The provider sent no ID token although the scope has 'openid'; no token was returned.",
            )
        return Validated(tokens, subject, metadata)
    keys = keys or Keys(http, metadata["jwks_uri"])
    check = {
        "issuer": metadata["issuer"],
        "client_id": cfg.client_id,
        "nonce": nonce,
        "subject": subject,
        # What the sign-in asked for is checked on its answer; a renewal asks for neither.
        "max_age": cfg.max_age if subject is None else None,
        "acr_values": cfg.acr_values if subject is None else (),
    }
    try:
        claims = validate_id_token(tokens.id_token, keys.get(), **check)
    except NoMatchingKey:
        claims = validate_id_token(tokens.id_token, keys.get(reload=True), **check)
    return Validated(tokens, str(claims["sub"]), metadata, claims)


def refresh(
    cfg: NativeConfig,
    metadata: dict[str, Any],
    http: Http,
    refresh_token: str,
    subject: str | None,
    keys: Keys | None = None,
    resource: str | None = None,
    scope: str | None = None,
) -> Validated:
    """RFC 6749 §6; a new ID token must be about the same user (OpenID Connect Core §12.2).
    ``resource``: an access token for that API only (RFC 8707 §2.2); ``scope``: no more than that."""
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": cfg.client_id}
    if resource is not None:
        data["resource"] = resource
    if scope is not None:
        data["scope"] = scope
    status, body = token_request(http, metadata, data, "token renewal", cfg.client_auth)
    if status != 200:
        raise refused(status, body, "token renewal", cfg.client_auth)
    return accept_tokens(
        body, cfg, metadata, http, nonce=None, subject=subject, id_token_required=False, keys=keys
    )
