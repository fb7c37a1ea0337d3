"""The contributor's image (Dockerfile.dev) with a checkout mounted at /project: a change in js/ shows
after a page reload, a change in the Python package after a kernel restart, without rebuilding the
image. The checkout is a copy owned by uid 1000, as a developer's is on a Linux host: the container
must write its bundles as that user."""

from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path

from e2e._page import NotebookPage
from e2e._procs import free_port
from e2e._stack import start_provider
from playwright.sync_api import BrowserContext, expect

from ._containers import copy_checkout, jupyter_container, put_notebook, wait_for
from ._engine import Engine

CLIENT_ID = "notebooks"
OWNER = 1000
# The widget's message while the sign-in window is open (js/shared/wording.ts), and the edit made to it.
SHOWN = "finish in the sign-in window"
EDITED = "finish in the sign-in window [edited in a running container]"


def _chown_tree(root: Path, uid: int) -> None:
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            os.chown(path, uid, uid)


def test_dev_image_shows_a_js_change_after_a_reload(
    docker_engine: Engine, dev_image: str, context: BrowserContext, tmp_path: Path
) -> None:
    project = copy_checkout(tmp_path / "project")
    js = project / "js"
    sources = [
        p
        for p in sorted(js.rglob("*.ts"))
        if p.relative_to(js).parts[0] != "tests" and SHOWN in p.read_text()
    ]
    assert sources, f"no file in js/ shows {SHOWN!r} any more: choose another message for this test"
    _chown_tree(project, OWNER)
    bundle = project / "ipython_oidc_client" / "static" / "widget.js"

    port = free_port()
    token = secrets.token_hex(16)
    redirect_uri = f"http://127.0.0.1:{port}/oidc/redirect.html"
    provider = start_provider(tmp_path, [{"client_id": CLIENT_ID, "redirect_uris": [redirect_uri]}])
    try:
        volume = f"{project}:/project"
        with jupyter_container(docker_engine, dev_image, tmp_path / "jupyter", port, token, [volume]) as (
            lab,
            _server,
            _container,
        ):
            # Built at start, by the checkout's owner, into the checkout.
            assert bundle.is_file() and bundle.stat().st_uid == OWNER
            # Written by the editable install as root, then handed to the owner (dev-entrypoint.sh).
            assert (project / "ipython_oidc_client" / "_version.py").stat().st_uid == OWNER

            config = {"authority": provider.issuer, "client_id": CLIENT_ID, "scope": "openid"}
            name = f"dev-{uuid.uuid4().hex[:8]}.ipynb"
            put_notebook(
                lab,
                name,
                [
                    f"from ipython_oidc_client import authenticate\ns = authenticate({config!r})",
                    "import ipython_oidc_client as m\nprint('marker', getattr(m, 'DEV_IMAGE_MARKER', None))",
                ],
            )
            nb = NotebookPage(context, lab, name, "lab")
            with nb.page.expect_popup() as popup_info:
                nb.run(0)
            # The message stays while the sign-in window is open (the provider's login form).
            nb.wait_status("signing_in")
            expect(nb.widget(0)).to_contain_text(SHOWN, timeout=30_000)
            popup_info.value.close()

            # A change in js/, in the mounted checkout: esbuild (watching) rebuilds the bundle.
            for source in sources:
                source.write_text(source.read_text().replace(SHOWN, EDITED))
            wait_for(lambda: EDITED in bundle.read_text(), "esbuild did not rebuild the widget", timeout=30)

            # A reload of the page shows it: the page loads the served bundle anew.
            nb.page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?"
            nb.kernel_ready = False
            nb.page.reload()
            nb.wait_kernel_ready()
            with nb.page.expect_popup() as popup_info:
                nb.run(0)
            nb.wait_status("signing_in")
            expect(nb.widget(0)).to_contain_text(EDITED, timeout=30_000)
            popup_info.value.close()

            # A change in the Python package: a kernel restart picks it up.
            init = project / "ipython_oidc_client" / "__init__.py"
            init.write_text(init.read_text() + "\nDEV_IMAGE_MARKER = 'edited'\n")
            nb.restart_kernel()
            assert "marker edited" in nb.run_and_wait(1, "marker")
            assert not [e for e in nb.errors if "oidc" in e.lower()], nb.errors
    finally:
        provider.server.stop()
