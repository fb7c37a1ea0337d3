"""The names `authenticate()` knows: the oidc-client-ts settings it passes on, those it refuses
(with the reason), names from other libraries, and parameters nobody may override."""

from __future__ import annotations

from ._hosts import ENDPOINTS

# Passed to oidc-client-ts as they are. Value: the accepted Python types.
SETTINGS: dict[str, tuple[type, ...]] = {
    "authority": (str,),
    "client_id": (str,),
    "scope": (str,),
    "redirect_uri": (str,),
    "popup_redirect_uri": (str,),
    "post_logout_redirect_uri": (str,),
    "response_type": (str,),
    "response_mode": (str,),
    "prompt": (str,),
    "display": (str,),
    "max_age": (int,),
    "ui_locales": (str,),
    "acr_values": (str,),
    "resource": (str, list),
    # Ours: {name: resource URI}, the APIs a notebook asks tokens for by name (token.for_resource).
    "resources": (dict,),
    "extraQueryParams": (dict,),
    "extraTokenParams": (dict,),
    "metadataUrl": (str,),
    "metadata": (dict,),
    "metadataSeed": (dict,),
    "loadUserInfo": (bool,),
    "filterProtocolClaims": (bool, list),
    "requestTimeoutInSeconds": (int, float),
    "staleStateAgeInSeconds": (int,),
    "popupWindowFeatures": (dict,),
}

_PUBLIC_CLIENT_ONLY = (
    "a notebook cannot keep a secret: anything in the kernel can be printed into a notebook and "
    "shared. Register a public client (no secret, PKCE required) at the provider and remove {key!r}; "
    "or ask your administrator to configure the provider with its credentials on the server "
    "(OidcExtension.providers, client_auth)."
)
_IN_MEMORY = (
    "tokens are kept by the server's token keeper, never in the page (web storage is readable by any "
    "script a kernel emits). Remove {key!r}."
)
_WIDGET_OWNS = (
    "{key!r} is an oidc-client-ts UserManager setting that ipython-oidc-client does not use: the "
    "widget manages the popup, and the server's token keeper the tokens and their lifetime. Remove "
    "{key!r}."
)

# Known oidc-client-ts names that are refused, with the reason.
REFUSED: dict[str, str] = {
    "client_secret": _PUBLIC_CLIENT_ONLY,
    "client_authentication": _PUBLIC_CLIENT_ONLY,
    "client_auth": _PUBLIC_CLIENT_ONLY,
    "token_endpoint_auth_signing_alg": _PUBLIC_CLIENT_ONLY,
    "disablePKCE": "PKCE is required (RFC 9700 §2.1.1): it is what protects the code. Remove {key!r}.",
    "userStore": _IN_MEMORY,
    "stateStore": _IN_MEMORY,
    "dpop": "DPoP is not supported yet. Remove {key!r}.",
    "signingKeys": "ID tokens are checked against the provider's JWKS. Remove {key!r}.",
    "fetchRequestCredentials": "requests to the provider never send cookies. Remove {key!r}.",
    **dict.fromkeys(
        [
            "automaticSilentRenew",
            "silent_redirect_uri",
            "silentRequestTimeoutInSeconds",
            "validateSubOnSilentRenew",
            "includeIdTokenInSilentRenew",
            "monitorSession",
            "monitorAnonymousSession",
            "checkSessionIntervalInSeconds",
            "query_status_response_type",
            "stopCheckSessionOnError",
            "iframeNotifyParentOrigin",
            "iframeScriptOrigin",
            "redirectMethod",
            "redirectTarget",
            "popupWindowTarget",
            "popup_post_logout_redirect_uri",
            "revokeTokenTypes",
            "revokeTokensOnSignout",
            "includeIdTokenInSilentSignout",
            "accessTokenExpiringNotificationTimeInSeconds",
            "maxSilentRenewTimeoutRetries",
            "mergeClaimsStrategy",
            "refreshTokenAllowedScope",
            "omitScopeWhenRequesting",
            "revokeTokenAdditionalContentTypes",
            "extraHeaders",
        ],
        _WIDGET_OWNS,
    ),
}

# Names people write for a setting, from other libraries.
ALIASES = {
    "issuer": "authority",
    "issuer_url": "authority",
    "server_metadata_url": "metadataUrl",
    "clientid": "client_id",
    "scopes": "scope",
    "redirecturi": "redirect_uri",
    "redirect_url": "redirect_uri",
    "callback_url": "redirect_uri",
}

# Parameters the sign-in request sets itself; letting extraQueryParams replace them would undo
# state, nonce or PKCE (RFC 6749 §10.12, RFC 7636 §4.3). A request object (`request`, `request_uri`)
# may replace all of them at a provider that accepts one (RFC 9101 §6.3).
PROTECTED_PARAMS = {
    "request",
    "request_uri",
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
}

# The token request (RFC 6749 §4.1.3) carries the code and the PKCE verifier; extraTokenParams must
# not replace them, nor add client credentials that a notebook cannot keep secret.
PROTECTED_TOKEN_PARAMS = {
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "code",
    "code_verifier",
    "grant_type",
    "redirect_uri",
    "refresh_token",
}
# Endpoints in `metadata`/`metadataSeed` are used as they are: they get the same https rule as
# discovery's (the one list in _hosts.py), and so do the issuer and the session iframe given there.
METADATA_URLS = ("issuer", *ENDPOINTS, "check_session_iframe")
