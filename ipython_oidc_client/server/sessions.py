"""The routes through which a page drives a sign-in and follows it, all answered by the keeper
(docs/keeper.md). Each needs a Jupyter login; the POSTs are XSRF-checked by jupyter_server (never
disabled). No answer ever holds a refresh token, an ID token, a code's verifier or a nonce; only the
token route gives an access token, for a page that relays it to a kernel that cannot reach the keeper.

POST {base_url}oidc/signin                {request, redirect_uri, instance, fresh, renew_before}
POST {base_url}oidc/redeem                {state, response: {code, state, iss, error, …}}
GET  {base_url}oidc/sessions/<id>
GET  {base_url}oidc/instances/<instance>  the session a widget uses (after a reload)
POST {base_url}oidc/watch                 {sessions: {id: version}}: answers at the first change
POST {base_url}oidc/sessions/<id>/renew
POST {base_url}oidc/sessions/<id>/logout  {post_logout_redirect_uri}
POST {base_url}oidc/sessions/<id>/token
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tornado import web

from .._keeper.wire import KeeperError, Op
from .keeper import KeeperProcess
from .registry import SETTINGS_KEY
from .resolve import resolve

if TYPE_CHECKING:  # mixins, as in handlers.py
    from jupyter_server.base.handlers import JupyterHandler as _Handler
else:
    _Handler = object

#: Where the extension puts its KeeperProcess, in the web application's settings.
KEEPER_KEY = "ipython_oidc_client_keeper"
#: How long a watch waits for a change before answering with none.
WATCH_SECONDS = 25.0
_STATUS = {"unknown_session": 404, "keeper_unavailable": 503, "keeper_failed": 500, "not_signed_in": 409}


class KeeperRoute(_Handler):
    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Cache-Control", "no-store")

    @property
    def keeper(self) -> KeeperProcess:
        keeper: KeeperProcess = self.settings[KEEPER_KEY]
        return keeper

    def body(self) -> dict[str, Any]:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise KeeperError("invalid_request", "The request body must be a JSON object. Reload the page.")
        return body

    async def answer(
        self, op: Op, *, fields: tuple[str, ...] = (), reply_seconds: float = 45.0, **args: Any
    ) -> None:
        """Ask the keeper ``op`` with ``args`` and these ``fields`` of the JSON body; answer with what it
        says, or refuse with its code."""
        try:
            if fields:
                body = self.body()
                args.update({name: body.get(name) for name in fields})
            self.finish(await self.keeper.call(op, reply_seconds=reply_seconds, **args))
        except KeeperError as err:
            self.refuse(err)

    def refuse(self, err: KeeperError) -> None:
        self.set_status(_STATUS.get(err.error, 400))
        self.finish({"error": err.error, "message": err.message})


class SignIn(KeeperRoute):
    @web.authenticated
    async def post(self) -> None:
        try:
            body = self.body()
            registry = self.settings.get(SETTINGS_KEY) or {"providers": {}, "redirect_uri": None}
            config, label, redirect_uri = resolve(body.get("request"), registry, body.get("redirect_uri"))
        except KeeperError as err:
            return self.refuse(err)
        renew_before = body.get("renew_before")
        await self.answer(
            "begin",
            config=config,
            redirect_uri=redirect_uri,
            instance=body.get("instance"),
            fresh=body.get("fresh") is True,
            label=label,
            renew_before=renew_before if isinstance(renew_before, (int, float)) else 60,
        )


class Redeem(KeeperRoute):
    @web.authenticated
    async def post(self) -> None:
        await self.answer("redeem", fields=("state", "response"))


class SessionView(KeeperRoute):
    @web.authenticated
    async def get(self, sid: str) -> None:
        await self.answer("session", session=sid)


class InstanceView(KeeperRoute):
    @web.authenticated
    async def get(self, instance: str) -> None:
        await self.answer("instance", instance=instance)


class Watch(KeeperRoute):
    @web.authenticated
    async def post(self) -> None:
        await self.answer(
            "wait", fields=("sessions",), reply_seconds=WATCH_SECONDS + 10, timeout=WATCH_SECONDS
        )


class Renew(KeeperRoute):
    @web.authenticated
    async def post(self, sid: str) -> None:
        await self.answer("renew", session=sid)


class Logout(KeeperRoute):
    @web.authenticated
    async def post(self, sid: str) -> None:
        await self.answer("logout", fields=("post_logout_redirect_uri",), session=sid)


class AccessToken(KeeperRoute):
    @web.authenticated
    async def post(self, sid: str) -> None:
        await self.answer("token", session=sid)
