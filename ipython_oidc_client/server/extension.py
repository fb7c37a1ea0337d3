"""The server extension, enabled on install by jupyter-config/jupyter_server_config.d."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp

from .handlers import CallbackPageHandler, CallbackScriptHandler


class OidcExtension(ExtensionApp):
    name = "ipython_oidc_client"
    description = "Serves the OpenID Connect sign-in callback page for ipython-oidc-client."

    def initialize_handlers(self) -> None:
        # Routes are relative: ExtensionApp puts the server's base_url in front of each.
        self.handlers.extend(
            [
                (r"/oidc/redirect\.html", CallbackPageHandler),
                # The path the original package told users to register at their provider.
                (r"/redirect\.html", CallbackPageHandler),
                (r"/oidc/callback\.js", CallbackScriptHandler),
            ]
        )
