"""The callback page the identity provider redirects to, and its script.

Both require a Jupyter login: the page runs on the notebook's origin so that it can hand the code
to the notebook page, and nobody else needs it.
"""

from __future__ import annotations

import hashlib
from functools import cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.utils import url_path_join
from tornado import web

# The logic lives in mixins, put on jupyter_server's handler classes, or on notebook 6's where that
# server runs them (server/extension.py). For type checking, they are jupyter_server handlers.
if TYPE_CHECKING:
    from jupyter_server.base.handlers import JupyterHandler as _Handler
else:
    _Handler = object

STATIC = Path(__file__).parent.parent / "static"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>Signing in…</title>
</head>
<body data-base-url="{base_url}">
<p id="message">Finishing sign-in…</p>
<noscript><p>Sign-in needs JavaScript in this window.</p></noscript>
<script src="{script}"></script>
</body>
</html>
"""


@cache
def _callback_script() -> tuple[bytes, str]:
    path = STATIC / "callback.js"
    if not path.is_file():
        raise web.HTTPError(
            500,
            reason="ipython-oidc-client was installed without its built scripts; reinstall it with pip",
        )
    body = path.read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:16]


class NoStore(_Handler):
    def set_default_headers(self) -> None:
        super().set_default_headers()
        # The page's URL carries the code and state (RFC 6749 §10.5, §4.1.2): keep it out of caches
        # and out of any Referer the page might send.
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")

    @property
    def content_security_policy(self) -> str:
        # Only our own script runs here; nothing is framed, nothing posts a form. No report-uri:
        # a violation report carries the document's URL, code and state included, into the log.
        return "; ".join(
            [
                "frame-ancestors 'none'",
                "default-src 'none'",
                "script-src 'self'",
                "base-uri 'none'",
                "form-action 'none'",
            ]
        )


class CallbackPage(NoStore):
    """``{base_url}oidc/redirect.html`` and ``{base_url}redirect.html``."""

    # Checked below instead of by @web.authenticated: its redirect to the login page would carry
    # this URL, code and state included, in ?next=, into the login page and its log lines.
    @allow_unauthenticated
    def get(self) -> None:
        # The server never needs the code and state (the page reads them): keep them out of every
        # request log, notebook 6's included, which logs URLs as they are.
        self.request.uri = self.request.path
        if self.current_user is None:
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(
                "Your Jupyter login has ended, so this sign-in cannot be finished. Log in to Jupyter "
                "again in the notebook's tab, then click Sign in in the widget.\n"
            )
            return
        _, version = _callback_script()
        # A static file, like the widget's module: public code, served without a login or an XSRF
        # token (JupyterHub ≥ 4.1 checks XSRF on cookie-authenticated GETs other than navigations).
        script = url_path_join(self.base_url, "static/ipython_oidc_client/callback.js") + f"?v={version}"
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            _PAGE.format(script=escape(script, quote=True), base_url=escape(self.base_url, quote=True))
        )
