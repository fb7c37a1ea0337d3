"""The server extension, enabled on install by jupyter-config/: jupyter_server_config.d for
jupyter_server (JupyterLab, Notebook 7, nbclassic), jupyter_notebook_config.d for notebook 6."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.extension.handler import ExtensionHandlerMixin
from traitlets import Dict, Unicode

from .._errors import ConfigError
from .._version import __version__
from .handlers import STATIC, CallbackPage
from .keeper import KeeperProcess
from .redirect_mode import Return, ReturnPath
from .registry import (
    SETTINGS_KEY,
    Providers,
    check_providers,
    check_redirect_uri,
    confidential,
    dropin_config,
)
from .sessions import (
    KEEPER_KEY,
    AccessToken,
    InstanceView,
    Logout,
    Redeem,
    Renew,
    SessionView,
    SignIn,
    Watch,
)


def _bases(web_app: Any) -> tuple[type, type]:
    """The page and API handler classes of the server that runs us.

    notebook 6 (`jupyter notebook` < 7) runs jupyter_server extensions too, but jupyter_server's
    handlers cannot read its login cookie and clear it, logging the user out (docs/architecture.md): there
    our handlers are notebook's own.
    """
    if "identity_provider" not in web_app.settings:
        from notebook.base.handlers import APIHandler, IPythonHandler  # type: ignore[import-not-found]

        return IPythonHandler, APIHandler
    from jupyter_server.base.handlers import APIHandler as ServerAPIHandler
    from jupyter_server.base.handlers import JupyterHandler

    return JupyterHandler, ServerAPIHandler


#: A session's or a widget instance's id in a route: URL-safe random text.
_ID = r"[A-Za-z0-9_-]{1,64}"


def _handler(logic: type, base: type) -> type:
    return type(logic.__name__ + "Handler", (logic, ExtensionHandlerMixin, base), {})


class OidcExtension(ExtensionApp):
    name = "ipython_oidc_client"
    description = "Serves the OpenID Connect sign-in callback page for ipython-oidc-client."
    # {base_url}static/ipython_oidc_client/widget.js: the widget's one shared module in the page
    # (js/widget/widget.ts). Public code, served like every static file of the server.
    static_paths = [str(STATIC)]  # noqa: RUF012 - a traitlet default, as in jupyter_server's examples

    providers = Dict(
        {},
        config=True,
        help="""Identity providers named for every user of this server, so that a notebook writes
        ``authenticate("corp", token)`` instead of a full config (or ``authenticate(token=token)``
        when exactly one is configured). Keys are names (letters, digits, '.', '_', '-'); values are
        the config a notebook would pass to ``authenticate()``, e.g.::

            c.OidcExtension.providers = {
                "corp": {"authority": "https://login.example.com/realms/staff",
                         "client_id": "notebooks", "scope": "openid profile api"},
            }

        Register each client at its provider as a public client (no secret; PKCE), or give the
        entry a ``client_auth`` for a confidential one (client_secret_basic, client_secret_post or
        private_key_jwt, the secret or key from a file or an environment variable): the server's
        token keeper alone reads it and sends it only to that provider's token and revocation
        endpoints; it is never served (docs/admins.md, "Confidential clients"). Every entry is
        checked when the server starts, with the same checks as a notebook's config, and a
        ``client_auth`` by reading its credentials and the provider's discovery document; a bad
        entry stops the server with a message naming the provider and the key, rather than
        surprising a user at sign-in. A notebook may add to an entry only the keys listed in
        ``ipython_oidc_client._providers.OVERRIDABLE`` (scope, prompt, max_age, …). The settings are
        served to logged-in users' widgets and never reach a kernel.""",
    )
    redirect_uri = Unicode(
        "",
        config=True,
        help="""The redirect URI every sign-in on this server uses, unless the config (a notebook's,
        or a provider entry's) names its own. Empty (the default): the kernel's
        IPYTHON_OIDC_CLIENT_REDIRECT_URI environment variable if set, else on JupyterHub the hub's
        ``{hub}/hub/user-redirect/oidc/redirect.html``, else ``{base_url}oidc/redirect.html`` on the
        page's own origin. Set it when the provider allows one registered URI and the server is
        reached under a name the browser cannot tell, e.g. behind a proxy.""",
    )

    _dropin: dict[str, Any] = {}  # noqa: RUF012 - replaced per instance in load_config_file

    def load_config_file(self, *args: Any, **kwargs: Any) -> None:
        super().load_config_file(*args, **kwargs)
        assert self.serverapp is not None
        paths = list(getattr(self.serverapp, "config_file_paths", []))
        section = getattr(self.serverapp, "config_file_name", "") or "jupyter_server_config"
        try:
            self._dropin = dropin_config(paths, section)
        except ConfigError as err:
            self._fail(err)

    def _fail(self, err: ConfigError) -> NoReturn:
        # Stop the server: a server extension's exception would only be logged as a warning, and
        # the first user to sign in would meet the mistake instead of the administrator.
        self.log.critical("ipython_oidc_client: %s Fix the configuration and start again.", err)
        sys.exit(1)

    def initialize_settings(self) -> None:
        assert self.serverapp is not None
        # Our first line in the server's log, before the providers' checks (which may stop the
        # server): which release serves the sign-in pages, for whoever reads the log of a problem.
        self.log.info(
            "ipython_oidc_client %s: sign-in pages under %soidc/",
            __version__,
            self.serverapp.base_url,
        )
        # Drop-in files first; jupyter_server_config.py/.json and the command line win, per name.
        providers = {**self._dropin.get("providers", {}), **self.providers}
        try:
            checked = check_providers(providers)
            registry = {
                "providers": checked,
                "redirect_uri": check_redirect_uri(self.redirect_uri or self._dropin.get("redirect_uri", ""))
                or None,
            }
        except ConfigError as err:
            self._fail(err)
        self.settings[SETTINGS_KEY] = registry
        # Started when a page first needs it; its socket is named now, so that every kernel this
        # server starts finds it in its environment.
        clients = confidential(providers, checked)
        self.keeper = KeeperProcess(self.serverapp.runtime_dir, self.log, clients)
        self.settings[KEEPER_KEY] = self.keeper
        if clients:
            # Their credentials are read now, by the keeper, so that a missing file or a method the
            # provider does not support stops the server here rather than surprising a user later.
            errors = self.keeper.start_now()
            if errors:
                self.keeper.stop()
                self._fail(ConfigError("client_auth", " ".join(errors)))
        if registry["providers"]:
            self.log.info("ipython_oidc_client: providers %s", ", ".join(sorted(registry["providers"])))

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
                (r"/oidc/providers", _handler(Providers, api)),
                (r"/oidc/signin", _handler(SignIn, api)),
                (r"/oidc/redeem", _handler(Redeem, api)),
                (r"/oidc/watch", _handler(Watch, api)),
                (rf"/oidc/sessions/({_ID})", _handler(SessionView, api)),
                (rf"/oidc/sessions/({_ID})/renew", _handler(Renew, api)),
                (rf"/oidc/sessions/({_ID})/logout", _handler(Logout, api)),
                (rf"/oidc/sessions/({_ID})/token", _handler(AccessToken, api)),
                (rf"/oidc/instances/({_ID})", _handler(InstanceView, api)),
            ]
        )

    async def stop_extension(self) -> None:
        # The keeper would also go when its stdin closes with this process; this is the orderly way.
        keeper = getattr(self, "keeper", None)
        if keeper is not None:
            keeper.stop()


# notebook 6 loads server extensions by this name (NotebookApp.nbserver_extensions).
def load_jupyter_server_extension(serverapp: Any) -> None:
    OidcExtension.load_classic_server_extension(serverapp)  # type: ignore[no-untyped-call]
