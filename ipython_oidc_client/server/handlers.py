"""The callback page the identity provider redirects to, and its script.

It requires a Jupyter login: the page runs on the notebook's origin, hands the provider's answer to
this server's token keeper (POST oidc/redeem, XSRF-checked), and tells the notebook page the outcome.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
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
<script src="{script}" nonce="{nonce}" integrity="{integrity}"></script>
</body>
</html>
"""


@cache
def _digests(path: Path, _mtime_ns: int) -> tuple[str, str]:
    body = path.read_bytes()
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    return hashlib.sha256(body).hexdigest()[:16], integrity


def _callback_script() -> tuple[str, str]:
    """A version for the script's URL, and its SRI digest, which pins its content. Computed again
    when the file changes (a contributor's rebuild), so the page never pins a stale script."""
    path = STATIC / "callback.js"
    if not path.is_file():
        raise web.HTTPError(
            500,
            reason="ipython-oidc-client was installed without its built scripts; reinstall it with pip",
        )
    return _digests(path, path.stat().st_mtime_ns)


class NoStore(_Handler):
    def set_default_headers(self) -> None:
        super().set_default_headers()
        # The page's URL carries the code and state (RFC 6749 §10.5, §4.1.2): keep it out of caches
        # and out of any Referer the page might send.
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")

    @property
    def script_nonce(self) -> str:
        # Asked for when the default headers are set, before get(): one nonce per response.
        if not hasattr(self, "_script_nonce"):
            self._script_nonce = secrets.token_urlsafe(18)
        return self._script_nonce

    @property
    def content_security_policy(self) -> str:
        # Only the page's one script tag runs (its nonce; its content pinned by SRI), not any other
        # script of this origin; it may fetch from this server only (it hands the answer to the
        # keeper, POST oidc/redeem); nothing is framed, nothing posts a form. No report-uri: a
        # violation report carries the document's URL, code and state included, into the log.
        return "; ".join(
            [
                "frame-ancestors 'none'",
                "default-src 'none'",
                f"script-src 'nonce-{self.script_nonce}'",
                "connect-src 'self'",
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
        version, integrity = _callback_script()
        # A static file, like the widget's module: public code, served without a login or an XSRF
        # token (JupyterHub ≥ 4.1 checks XSRF on cookie-authenticated GETs other than navigations).
        script = url_path_join(self.base_url, "static/ipython_oidc_client/callback.js") + f"?v={version}"
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            _PAGE.format(
                script=escape(script, quote=True),
                base_url=escape(self.base_url, quote=True),
                nonce=self.script_nonce,
                integrity=integrity,
            )
        )
