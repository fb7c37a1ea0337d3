"""A kernel's line to its server's token keeper (docs/keeper.md): a thread that follows the session of
one widget instance and updates the token in place with each new access token — also while a cell
runs, which widget messages cannot do (they wait for the shell channel the cell holds)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, MutableMapping
from typing import Any

from ._codes import relayed_code
from ._errors import AuthenticationError
from ._keeper.client import KeeperUnavailable, Link, call, socket_path
from ._keeper.wire import KeeperError
from ._token import Token, clear, expire, fill, parse_token_message

#: The one follower that fills each token: a new authenticate() with the same token (the cell run
#: again, perhaps with another config) replaces the last one's, which would otherwise go on filling it.
_BY_TOKEN: dict[int, Follow] = {}

KEEPER_GONE = (
    "The server's token keeper stopped (the Jupyter server was restarted, or the keeper was ended), so "
    "the token is no longer renewed. Run authenticate() again to sign in."
)


class Follow:
    """Follows ``instance``'s session at the keeper; ``on_view`` hears each view (never a token)."""

    def __init__(
        self,
        instance: str,
        token: MutableMapping[str, Any],
        on_view: Callable[[dict[str, Any], bool], None],
        on_error: Callable[[AuthenticationError | None], None],
    ) -> None:
        self.instance = instance
        self.token = token
        self._on_view = on_view
        self._on_error = on_error
        self.link: Link | None = None
        self.session_id: str | None = None
        self._expiry: threading.Timer | None = None
        previous = _BY_TOKEN.get(id(token))
        if previous is not None:
            previous.close()
        _BY_TOKEN[id(token)] = self
        from ._stepup import renewer

        renewer(token, self.renew_now)

    def connect(self) -> bool:
        """Follow at the keeper, if this kernel can reach it (its server's socket, in the environment)."""
        if self.link is not None and not self.link.gone.is_set():
            return True
        if not socket_path():
            return False
        try:
            link = Link.to_socket(on_event=self._event, on_gone=self._gone)
            link.request("follow", timeout=10, instance=self.instance)
        except (KeeperUnavailable, KeeperError):
            return False
        self.link = link
        return True

    def _event(self, event: dict[str, Any]) -> None:
        view = event.get("session")
        if event.get("event") != "session" or not isinstance(view, dict):
            return
        self.session_id = view.get("id") if isinstance(view.get("id"), str) else None
        token = event.get("token")
        fresh = isinstance(token, dict)
        if isinstance(token, dict):
            fill(self.token, parse_token_message(token))
        error = view.get("error")
        if view.get("status") == "expired":
            expire(self.token)
        elif view.get("status") == "signed_out":
            clear(self.token)
        if isinstance(error, dict):
            self._on_error(AuthenticationError(relayed_code(error.get("error")), str(error.get("message"))))
        elif view.get("status") == "signed_in":
            self._on_error(None)
        self._on_view(view, fresh)

    def _gone(self) -> None:
        """The keeper is gone: the token is not renewed any more and expires at its time."""
        if self.link is None or self.token.get("access_token") is None:
            return
        self._on_error(AuthenticationError("unknown_session", KEEPER_GONE))
        expires_at = self.token.get("expires_at")
        if isinstance(expires_at, (int, float)):
            self._expiry = threading.Timer(max(expires_at - time.time(), 0.0), expire, args=(self.token,))
            self._expiry.daemon = True
            self._expiry.start()

    def renew_now(self) -> bool:
        """Ask the keeper to renew now (an API said ``invalid_token``); the new token comes as usual."""
        if self.session_id is None or not socket_path():
            return False
        try:
            call("renew", timeout=30, session=self.session_id)
        except (KeeperUnavailable, KeeperError):
            return False
        return True

    def logout(self) -> None:
        """End the session at the keeper (it revokes the refresh token), even with no page open."""
        if self.session_id is None or not socket_path():
            return
        try:
            call("logout", timeout=15, session=self.session_id)
        except (KeeperUnavailable, KeeperError):
            pass  # the page's sign-out, or the keeper's end, does it

    def close(self) -> None:
        if _BY_TOKEN.get(id(self.token)) is self:
            del _BY_TOKEN[id(self.token)]
        if self._expiry is not None:
            self._expiry.cancel()
        if self.link is not None:
            link, self.link = self.link, None
            link.close()


#: The tokens for_resource gave, by (the sign-in's token, the resource asked): the same one again.
_RESOURCES: dict[tuple[int, str], tuple[Token, Follow]] = {}


def for_resource(token: MutableMapping[str, Any], resource: str) -> Token:
    """A Token for one API (RFC 8707), from the sign-in that fills ``token``: the keeper redeems that
    sign-in's refresh token for it and renews it like the first; it is filled in place the same way."""
    follow = _BY_TOKEN.get(id(token))
    if follow is None or not socket_path():
        raise AuthenticationError(
            "not_signed_in",
            "Tokens for other APIs come from the sign-in a Jupyter server's token keeper holds: run "
            "authenticate() in a notebook whose server has the extension, and sign in first.",
        )
    cached = _RESOURCES.get((id(token), resource))
    if cached is not None and cached[0].get("access_token") and not cached[0].expired:
        return cached[0]
    child = Token()
    errors: list[AuthenticationError | None] = [None]
    child._reason = lambda: errors[-1]
    instance = "resource-" + secrets.token_urlsafe(16)
    follower = Follow(instance, child, lambda _view, _fresh: None, errors.append)
    if not follower.connect():
        raise AuthenticationError("keeper_unavailable", KEEPER_GONE)
    try:
        reply = call("resource", timeout=45, instance=follow.instance, child=instance, resource=resource)
    except (KeeperError, KeeperUnavailable) as err:
        follower.close()
        if isinstance(err, KeeperError):
            raise AuthenticationError(err.error, err.message) from None
        raise AuthenticationError("keeper_unavailable", KEEPER_GONE) from None
    if isinstance(reply.get("token"), dict):
        fill(child, parse_token_message(reply["token"]))
    previous = _RESOURCES.pop((id(token), resource), None)
    if previous is not None:
        previous[1].close()
    _RESOURCES[(id(token), resource)] = (child, follower)
    return child
