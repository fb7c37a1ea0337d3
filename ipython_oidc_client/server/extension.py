"""The server extension, enabled on install by jupyter-config/jupyter_server_config.d."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp

from .handlers import STATIC, CallbackPageHandler, CallbackScriptHandler
from .redirect_mode import ReturnHandler, ReturnPathHandler


class OidcExtension(ExtensionApp):
    name = "ipython_oidc_client"
    description = "Serves the OpenID Connect sign-in callback page for ipython-oidc-client."
    # {base_url}static/ipython_oidc_client/widget.js: the widget's one shared module in the page
    # (js/widget.ts). Public code, served like every static file of the server.
    static_paths = [str(STATIC)]  # noqa: RUF012 - a traitlet default, as in jupyter_server's examples

    def initialize_handlers(self) -> None:
        # Routes are relative: ExtensionApp puts the server's base_url in front of each.
        self.handlers.extend(
            [
                (r"/oidc/redirect\.html", CallbackPageHandler),
                # The path the original package told users to register at their provider.
                (r"/redirect\.html", CallbackPageHandler),
                (r"/oidc/callback\.js", CallbackScriptHandler),
                (r"/oidc/return-path", ReturnPathHandler),
                (r"/oidc/return", ReturnHandler),
            ]
        )
