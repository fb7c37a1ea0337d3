"""The anywidget that runs the sign-in in the browser (js/widget/widget.ts).

Tokens travel from the page as custom messages (``model.send``), never as synced traits: synced
traits are written into the .ipynb when widget state is saved (docs/architecture.md).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ._protocol import KernelMessage

_STATIC = Path(__file__).parent / "static"
log = logging.getLogger(__name__)


def _static(name: str) -> Path:
    path = _STATIC / name
    if not path.is_file():
        raise RuntimeError(
            f"The widget's script {path} is missing: this copy of ipython-oidc-client was not built. "
            "Reinstall it with pip (the build runs npm), or run `npm run build` in a source checkout."
        )
    return path


class OidcWidget(anywidget.AnyWidget):
    """Shows the sign-in state; mirrors ``WidgetTraits`` in js/messages.ts."""

    # A loader of the module the server extension serves (js/loader/loader.ts), not the bundle itself.
    _esm = _STATIC / "loader.js"
    _css = _STATIC / "widget.css"

    instance = traitlets.Unicode(help="Random id: one controller per widget in the page").tag(sync=True)
    config = traitlets.Dict(
        help="oidc-client-ts settings, or {'provider': name, …} for the server's registry; checked by "
        "_providers.check_request"
    ).tag(sync=True)
    timeout = traitlets.Float(120.0, help="Seconds the whole sign-in may take").tag(sync=True)
    redirect_path = traitlets.Unicode(
        "", help="Default redirect URI's path on this page's origin; empty: {base_url}oidc/redirect.html"
    ).tag(sync=True)
    pinned_redirect_uri = traitlets.Unicode(
        "", help="The kernel's IPYTHON_OIDC_CLIENT_REDIRECT_URI, if set"
    ).tag(sync=True)
    mode = traitlets.Enum(["popup", "redirect"], "popup", help="Popup, or the whole tab").tag(sync=True)
    renew_before = traitlets.Float(60.0, help="Renew this many seconds before expiry").tag(sync=True)

    def __init__(self, *, on_message: Callable[[dict[str, Any]], None], **kwargs: Any) -> None:
        _static("loader.js"), _static("widget.js"), _static("widget.css")
        super().__init__(instance=uuid.uuid4().hex, **kwargs)
        self._started = False
        #: Whether the page has spoken yet: proof that its messages reach this kernel.
        self.answered = False
        self._on_message = on_message
        # Not `_handle_msg`: that name would replace ipywidgets' own handler and every message would fail.
        self.on_msg(self._receive)

    def send(self, content: KernelMessage, buffers: Any = None) -> None:
        """A custom message to the page: one of js/shared/messages.ts KernelMessage, which mypy holds each
        call's dict to."""
        super().send(content, buffers)

    def _receive(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        self.answered = True
        if content.get("type") == "ready":
            # Start once per authenticate() call; views drawn later (a reload, a saved notebook
            # reopened) show the state instead of opening another popup.
            if not self._started:
                self._started = True
                self.send({"type": "start"})
                return
            # A view drawn later (a reload, the notebook reopened): SignIn tells it where it stands.
        try:
            self._on_message(content)
        except Exception:
            # Never log the content: it may hold a token.
            log.exception("ipython_oidc_client: could not handle a %r message", content.get("type"))
