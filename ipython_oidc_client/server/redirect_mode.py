"""Full-page redirect mode: keep the notebook's path in a cookie while the browser visits the
identity provider, and send the browser back there afterwards.

POST {base_url}oidc/return-path  {"path": "...", "https": true|false}   keeps the path (XSRF-checked)
GET  {base_url}oidc/return                                             goes back, clears the cookie
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tornado import web

from .return_path import ReturnPathError, check_return_path

if TYPE_CHECKING:  # mixins, as in handlers.py
    from jupyter_server.base.handlers import JupyterHandler as _Handler
else:
    _Handler = object

#: Our own name, so as not to collide with Jupyter's or another extension's cookies.
COOKIE = "ipython_oidc_client_return"
#: Long enough to sign in, short enough that a stale path is not reused later.
MAX_AGE_SECONDS = 600


def _on_https(handler: _Handler, browser_says: bool = False) -> bool:
    """Whether the browser is on https. A TLS-terminating proxy hides it from request.protocol
    unless ServerApp.trust_xheaders is set (docs/architecture.md), so the page's word and the proxy's
    X-Forwarded-Proto count too: they can only add the Secure flag, never take it away."""
    forwarded = handler.request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return handler.request.protocol == "https" or forwarded == "https" or browser_says


class ReturnPath(_Handler):
    """Keep the return path. jupyter_server checks the XSRF token of this POST (never disabled)."""

    @web.authenticated
    def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
            path = check_return_path(body.get("path") if isinstance(body, dict) else None, self.base_url)
        except (ValueError, ReturnPathError) as err:
            self.set_status(400)
            self.finish({"message": f"Return path refused: {err}. Reload the notebook and try again."})
            return
        secure = _on_https(self, body.get("https") is True)
        self.set_signed_cookie(
            COOKIE,
            path,
            expires_days=None,
            path=self.base_url,
            httponly=True,
            secure=secure,
            samesite="Lax",
            max_age=MAX_AGE_SECONDS,
        )
        self.set_status(204)
        self.finish()


class Return(_Handler):
    """Go back to the kept path (checked again), or to the base URL; the cookie is cleared."""

    @web.authenticated
    def get(self) -> None:
        kept = self.get_signed_cookie(COOKIE, max_age_days=MAX_AGE_SECONDS / 86400)
        self.clear_cookie(COOKIE, path=self.base_url, secure=_on_https(self), httponly=True, samesite="Lax")
        self.set_header("Cache-Control", "no-store")
        target = self.base_url
        if kept:
            try:
                target = check_return_path(kept.decode("utf-8"), self.base_url)
            except (UnicodeDecodeError, ReturnPathError) as err:
                self.log.warning("ipython_oidc_client: return path refused (%s); going to the base URL", err)
        self.redirect(target)
