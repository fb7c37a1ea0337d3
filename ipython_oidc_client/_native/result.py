"""What ``authenticate()`` returns where no notebook frontend shows the widget: the same questions
as a widget's ``SignIn`` (``status``, ``error``, ``token``, ``logout()``, ``await``), answered by a
sign-in that has already finished when it is returned."""

from __future__ import annotations

from collections.abc import Generator, MutableMapping
from typing import Any

from .._errors import AuthenticationError
from .._protocol import Status


class NativeSignIn:
    """A finished sign-in of ``sign_in()`` (device grant or loopback): ``token`` is filled and, while
    this process lives, kept current by the keeper process that alone holds the refresh token."""

    def __init__(self, token: MutableMapping[str, Any], flow: str) -> None:
        self.token = token
        self.flow = flow
        self.mode = flow
        self.status: Status = "signed_in"
        self.message = "Signed in."

    @property
    def error(self) -> AuthenticationError | None:
        from . import session_of

        session = session_of(self.token)
        return session.error if session is not None else None

    def logout(self) -> None:
        """Clear the token here; the keeper revokes the refresh token at the provider (RFC 7009) and
        stops, taking it with it. (The provider's own session, in the browser, stays.)"""
        from .._token import clear
        from . import forget

        forget(self.token, revoke=True)
        clear(self.token)
        self.status = "signed_out"
        self.message = "Signed out."

    async def wait(self) -> MutableMapping[str, Any]:
        return self.token

    def __await__(self) -> Generator[Any, None, MutableMapping[str, Any]]:
        return self.wait().__await__()

    def __repr__(self) -> str:
        return f"<NativeSignIn flow={self.flow!r} status={self.status!r} error={self.error!r}>"
