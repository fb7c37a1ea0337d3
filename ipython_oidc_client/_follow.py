"""A kernel's line to a token keeper (docs/keeper.md): the server's, over its Unix socket, or a
keeper of this process's own, over its stdin and stdout (docs/native.md). Both send the same events;
a reader thread hands each to the SignIn that follows its instance (a widget's, a native sign-in's,
or an API's token from ``for_resource``), which fills its token — also while a cell runs, which
widget messages cannot do (they wait for the shell channel the cell holds)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._errors import AuthenticationError
from ._keeper.client import KeeperUnavailable, Link, PrivateKeeper, socket_path
from ._keeper.wire import KeeperError

if TYPE_CHECKING:
    from ._signin import SignIn
    from ._token import Token

KEEPER_GONE = (
    "The server's token keeper stopped (the Jupyter server was restarted, or the keeper was ended), so "
    "the token is no longer renewed. Run authenticate() again to sign in."
)


class Line:
    """One connection to a keeper; ``root`` is the sign-in that opened it and ends it."""

    def __init__(self, root: SignIn, private: bool) -> None:
        self.root = root
        #: A keeper of this process's own: it ran the flow, and it ends with this line.
        self.private = private
        self.closed = False
        self._followers: dict[str, SignIn] = {}
        self._keeper: PrivateKeeper | None = None
        self.link: Link | None = None
        #: The keeper's name for the root's session: its widget's instance, or the one a private keeper
        #: gave the sign-in it ran (its first session event says it).
        self.root_instance = None if private else root.instance

    @classmethod
    def to_server(cls, root: SignIn) -> Line | None:
        """Follow ``root``'s widget instance at the server's keeper; None where this kernel cannot
        reach one (no socket named in its environment, or nothing answers there)."""
        if not socket_path() or root.instance is None:
            return None
        line = cls(root, private=False)
        try:
            line.link = Link.to_socket(on_event=line._event, on_gone=line._gone)
            line.follow(root)
        except (KeeperUnavailable, KeeperError):
            line.close()
            return None
        return line

    @classmethod
    def to_private(cls, root: SignIn) -> Line:
        """Start a keeper of this process's own (``sign_in`` then asks it to sign in: op ``native``)."""
        line = cls(root, private=True)
        line._keeper = PrivateKeeper(on_event=line._event, on_gone=line._gone)
        line.link = line._keeper.link
        return line

    @property
    def gone(self) -> bool:
        return self.closed or self.link is None or self.link.gone.is_set()

    def alive(self) -> bool:
        return not self.gone and (self._keeper is None or self._keeper.alive())

    def follow(self, signin: SignIn) -> None:
        """``signin`` hears its instance's events from now on (the keeper sends the current one at once)."""
        assert self.link is not None and signin.instance is not None
        self._followers[signin.instance] = signin
        self.link.request("follow", timeout=10, instance=signin.instance)

    def unfollow(self, signin: SignIn) -> None:
        if signin.instance is not None and self._followers.get(signin.instance) is signin:
            del self._followers[signin.instance]

    def _event(self, event: dict[str, Any]) -> None:
        """In the reader thread: by the event's instance; the private keeper's own lines (``say``,
        ``failed``) and its sign-in's session (an instance it names) are the root's."""
        instance = event.get("instance")
        target = self._followers.get(instance) if isinstance(instance, str) else None
        if target is None and self.private and self.root_instance is None and event.get("event") == "session":
            self.root_instance = instance if isinstance(instance, str) else None
        if target is None and (not isinstance(instance, str) or instance == self.root_instance):
            target = self.root
        if target is not None and not self.closed:
            target.on_event(event)

    def _gone(self) -> None:
        if self.closed:
            return  # ended on purpose: nothing to say
        if self.link is not None:
            self.link.close()  # this end of a connection the keeper ended
        message = None if self.private else KEEPER_GONE
        for signin in {id(s): s for s in (self.root, *self._followers.values())}.values():
            signin.on_gone(message)

    def request(self, op: str, timeout: float, **args: Any) -> dict[str, Any]:
        return self.ask(op, args, timeout)

    def ask(self, op: str, args: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        if self.gone or self.link is None:
            raise KeeperUnavailable("the line to the token keeper is closed")
        return self.link.ask(op, args, timeout)

    def renew(self, session_id: str) -> bool:
        """Ask the keeper to renew now (an API said ``invalid_token``); the new token comes as usual."""
        try:
            self.request("renew", timeout=30, session=session_id)
        except (KeeperUnavailable, KeeperError):
            return False
        return True

    def logout(self, session_id: str) -> None:
        """End the session at the keeper: it revokes the refresh token (RFC 7009) and tells everyone."""
        try:
            self.request("logout", timeout=15, session=session_id)
        except (KeeperUnavailable, KeeperError):
            pass  # the page's sign-out, or the keeper's end, does it

    def resource(self, parent: str, child: SignIn, resource: str) -> None:
        """Have ``child`` follow a token for ``resource`` from the sign-in ``parent`` uses (RFC 8707):
        the keeper redeems that sign-in's refresh token and renews the new one like the first."""
        self.follow(child)
        try:
            reply = self.request(
                "resource", timeout=45, instance=parent, child=child.instance, resource=resource
            )
        except KeeperError as err:
            self.unfollow(child)
            raise AuthenticationError(err.error, err.message) from None
        except KeeperUnavailable:
            self.unfollow(child)
            raise AuthenticationError("keeper_unavailable", KEEPER_GONE) from None
        if isinstance(reply.get("session"), dict):
            session, token = reply["session"], reply.get("token")
            child.on_event(
                {"event": "session", "instance": child.instance, "session": session, "token": token}
            )

    def close(self) -> None:
        """End it: a private keeper is stopped (by its pid) and takes the refresh token with it."""
        self.closed = True
        if self._keeper is not None:
            self._keeper.stop()
        elif self.link is not None:
            self.link.close()


def for_resource(signin: SignIn | None, resource: str) -> Token:
    """``Token.for_resource``: a Token for one API from the sign-in ``signin`` (the one that fills
    the token asked), through the keeper that holds that sign-in."""
    if signin is None:
        raise AuthenticationError(
            "not_signed_in",
            "Tokens for other APIs come from the token keeper that holds this token's sign-in, and none "
            "holds one now: sign in first with authenticate(), and keep its refresh token (in a "
            "notebook, on a Jupyter server with the extension, whose keeper the kernel reaches).",
        )
    return signin.for_resource(resource, "resource-" + secrets.token_urlsafe(16))
