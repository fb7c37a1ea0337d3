"""The server extension, enabled on install by jupyter-config/: jupyter_server_config.d for
jupyter_server (JupyterLab, Notebook 7, nbclassic), jupyter_notebook_config.d for notebook 6."""

from __future__ import annotations

from typing import Any

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.extension.handler import ExtensionHandlerMixin

from .handlers import STATIC, CallbackPage
from .redirect_mode import Return, ReturnPath


def _bases(web_app: Any) -> tuple[type, type]:
    """The page and API handler classes of the server that runs us.

    notebook 6 (`jupyter notebook` < 7) runs jupyter_server extensions too, but jupyter_server's
    handlers cannot read its login cookie and clear it, logging the user out (design.md §5): there
    our handlers are notebook's own.
    """
    if "identity_provider" not in web_app.settings:
        from notebook.base.handlers import APIHandler, IPythonHandler  # type: ignore[import-not-found]

        return IPythonHandler, APIHandler
    from jupyter_server.base.handlers import APIHandler as ServerAPIHandler
    from jupyter_server.base.handlers import JupyterHandler

    return JupyterHandler, ServerAPIHandler


def _handler(logic: type, base: type) -> type:
    return type(logic.__name__ + "Handler", (logic, ExtensionHandlerMixin, base), {})


class OidcExtension(ExtensionApp):
    name = "ipython_oidc_client"
    description = "Serves the OpenID Connect sign-in callback page for ipython-oidc-client."
    # {base_url}static/ipython_oidc_client/widget.js: the widget's one shared module in the page
    # (js/widget.ts). Public code, served like every static file of the server.
    static_paths = [str(STATIC)]  # noqa: RUF012 - a traitlet default, as in jupyter_server's examples

    def initialize_handlers(self) -> None:
        assert self.serverapp is not None  # set before handlers are asked for
        page, api = _bases(self.serverapp.web_app)
        callback_page = _handler(CallbackPage, page)
        # Routes are relative: ExtensionApp puts the server's base_url in front of each.
        self.handlers.extend(
            [
                (r"/oidc/redirect\.html", callback_page),
                # The path the original package told users to register at their provider.
                (r"/redirect\.html", callback_page),
                (r"/oidc/return-path", _handler(ReturnPath, api)),
                (r"/oidc/return", _handler(Return, page)),
            ]
        )


# notebook 6 loads server extensions by this name (NotebookApp.nbserver_extensions).
def load_jupyter_server_extension(serverapp: Any) -> None:
    OidcExtension.load_classic_server_extension(serverapp)  # type: ignore[no-untyped-call]
