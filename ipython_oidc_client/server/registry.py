"""The providers an administrator names for everyone (``OidcExtension.providers``), checked when the
server starts, and served to the widget: ``GET {base_url}oidc/providers``.

The answer holds each client's public settings and nothing secret (a confidential client's
``client_auth`` is left out; the keeper alone reads its secret), but it is still for logged-in users
only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tornado import web

from .._config import _check_url, check_config
from .._errors import ConfigError
from .._keeper.clients import check_spec
from .._providers import check_name

if TYPE_CHECKING:  # mixins, as in handlers.py
    from jupyter_server.base.handlers import JupyterHandler as _Handler
else:
    _Handler = object

#: The most JSON one provider entry may take.
MAX_ENTRY = 64 * 1024
#: Where the checked registry waits for the handler, in the web application's settings.
SETTINGS_KEY = "ipython_oidc_client_registry"


def dropin_config(paths: Sequence[str], section: str) -> dict[str, Any]:
    """The ``OidcExtension`` part of the ``{path}/{section}.d/*.json`` files on the config path.

    A package or an image drops files there, but jupyter_server reads only
    ``ServerApp.jpserver_extensions`` from them; ours are read here, in jupyter_server's order (files
    in name order within a directory, directories earlier on the path win; entries of ``providers``
    merge). A file that names ``OidcExtension`` but does not parse, or whose section or ``providers``
    is not a JSON object, stops the server naming the file: skipped, it would start the server
    without the providers a user then cannot find.
    """
    from jupyter_server.config_manager import recursive_update

    data: dict[str, Any] = {}
    for path in reversed(paths):
        for file in sorted(Path(path, f"{section}.d").glob("*.json")):
            part = _oidc_part(file)
            if part is not None:
                recursive_update(data, part)
    return data


def _oidc_part(file: Path) -> dict[str, Any] | None:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # not ours to judge: jupyter_server says what it makes of it
    try:
        whole = json.loads(text)
    except ValueError as err:
        if "OidcExtension" not in text:
            return None
        raise ConfigError(None, f"{file} is not valid JSON ({err}).") from None
    part = whole.get("OidcExtension") if isinstance(whole, dict) else None
    if part is None:
        return None
    if not isinstance(part, dict):
        raise ConfigError(None, f"'OidcExtension' in {file} must be a JSON object.")
    if not isinstance(part.get("providers", {}), dict):
        raise ConfigError(
            "providers", f"'OidcExtension.providers' in {file} must be a JSON object of name: config."
        )
    return part


def check_providers(providers: object) -> dict[str, dict[str, Any]]:
    """Check every entry as a notebook's config is checked; the error names the provider and key.
    An entry's ``client_auth`` is checked for its shape and left out: it is the keeper's alone
    (``confidential``), never served."""
    if not isinstance(providers, Mapping):
        raise ConfigError(
            None, f"OidcExtension.providers must be a dict of name: config, got {type(providers).__name__}."
        )
    checked: dict[str, dict[str, Any]] = {}
    for name, entry in providers.items():
        where = f"OidcExtension.providers[{name!r}]"
        try:
            check_name(name)
            size = len(json.dumps(entry, default=str))
            if size > MAX_ENTRY:
                # Served to every page that signs in: a slip (a JWKS pasted whole, a generated file)
                # would cost each of them the download.
                raise ConfigError(
                    None, f"the entry is {size} bytes of JSON; at most {MAX_ENTRY} are accepted."
                )
            public = dict(entry) if isinstance(entry, Mapping) else entry
            if isinstance(public, dict) and "client_auth" in public:
                check_spec(public.pop("client_auth"))
            checked[name] = check_config(public)
        except ConfigError as err:
            raise ConfigError(err.key, f"{where}: {err}") from None
    return checked


def confidential(providers: Mapping[str, Any], checked: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """What the keeper is given of the confidential clients: each checked entry and its client_auth."""
    return {
        name: {"entry": checked[name], "auth": dict(providers[name]["client_auth"])}
        for name in checked
        if "client_auth" in providers[name]
    }


def check_redirect_uri(value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError("redirect_uri", f"OidcExtension.redirect_uri must be a string, got {value!r}.")
    if value:
        try:
            _check_url("redirect_uri", value)
        except ConfigError as err:
            raise ConfigError("redirect_uri", f"OidcExtension.redirect_uri: {err}") from None
    return value


class Providers(_Handler):
    """The registry, for the widget. A GET changes nothing; the widget still sends X-XSRFToken,
    which JupyterHub ≥ 4.1 asks of cookie-authenticated fetches (docs/architecture.md)."""

    @web.authenticated
    def get(self) -> None:
        registry = self.settings.get(SETTINGS_KEY) or {"providers": {}, "redirect_uri": None}
        self.set_header("Cache-Control", "no-store")
        self.finish(registry)
