"""Behind nginx terminating TLS: sign-in works, the redirect URI the browser sends is https, and
every cookie the extension sets is Secure — without ServerApp.trust_xheaders."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Request, Response

from ._page import NotebookPage, sign_in
from ._procs import Server, free_port
from ._stack import Lab, Provider, start_lab, start_provider, unique, write_notebook
from ._tls import start_nginx

CLIENT = "behind-tls"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Lab, Provider]]:
    servers: list[Server] = []
    try:
        lab = start_lab(tmp_path_factory.mktemp("tls-lab"), "/")
        servers.append(lab.server)
        port = free_port()
        origin = f"https://127.0.0.1:{port}/"
        idp = start_provider(
            tmp_path_factory.mktemp("tls-provider"),
            [{"client_id": CLIENT, "redirect_uris": [f"{origin}oidc/redirect.html"]}],
        )
        servers.append(idp.server)
        upstream = int(urlsplit(lab.url).port or 0)
        nginx, _ = start_nginx(tmp_path_factory.mktemp("nginx"), upstream, port)
        servers.append(nginx)
        yield Lab(lab.server, origin, lab.token, lab.root), idp
    finally:
        for server in reversed(servers):
            server.stop()


@pytest.fixture
def tls_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(ignore_https_errors=True)  # the self-signed certificate
    try:
        yield context
    finally:
        context.close()


@pytest.mark.parametrize("mode", ["popup", "redirect"])
def test_sign_in_behind_tls_uses_https_and_secure_cookies(
    mode: str, tls: tuple[Lab, Provider], tls_context: BrowserContext
) -> None:
    lab, idp = tls
    requested: list[str] = []
    cookies: list[tuple[str, str]] = []  # (the response's path, its Set-Cookie header)

    def on_request(request: Request) -> None:
        if request.url.startswith(idp.issuer) and urlsplit(request.url).path == "/auth":
            requested.append(request.url)

    def on_response(response: Response) -> None:
        if "/oidc/return" in response.url:
            path = urlsplit(response.url).path
            cookies.extend(
                (path, h["value"]) for h in response.headers_array() if h["name"].lower() == "set-cookie"
            )

    tls_context.on("request", on_request)
    tls_context.on("response", on_response)
    name = f"tls-{uuid.uuid4().hex[:8]}.ipynb"
    config = unique({"authority": idp.issuer, "client_id": CLIENT})
    write_notebook(
        lab.root / name,
        [
            "from ipython_oidc_client import authenticate\ntoken = {}\n"
            f"s = authenticate({config!r}, token, mode={mode!r})",
            "await s\nprint('keys', sorted(token))",
        ],
    )
    nb = NotebookPage(tls_context, lab, name)
    if mode == "popup":
        with nb.page.expect_popup() as popup_info:
            nb.run(0)
        sign_in(popup_info.value)
    else:

        def cookie_is_kept_securely() -> None:
            kept = [c for c in tls_context.cookies() if c["name"] == "ipython_oidc_client_return"]
            assert len(kept) == 1 and kept[0]["secure"] and kept[0]["httpOnly"], kept
            assert kept[0]["sameSite"] == "Lax" and kept[0]["path"] == "/", kept

        nb.redirect_trip(0, idp.issuer, "alice", at_provider=cookie_is_kept_securely)
    nb.run_and_wait(1, "keys ['access_token', 'expires_at', 'scope', 'token_type']")

    redirect_uris = {parse_qs(urlsplit(url).query)["redirect_uri"][0] for url in requested}
    assert redirect_uris == {f"{lab.url}oidc/redirect.html"} and lab.url.startswith("https://")
    ours = [(path, c) for path, c in cookies if c.startswith("ipython_oidc_client")]
    if mode == "redirect":
        # The POST that keeps the return path set our cookie, the way back cleared it: both seen.
        assert {path.rsplit("/", 1)[-1] for path, _ in ours} == {"return", "return-path"}, cookies
    else:
        assert ours == [], ours  # popup mode keeps no return path: no cookie of ours
    # Each was Secure (the one that sets it and the one that clears it).
    for _, cookie in ours:
        assert "secure" in [a.strip().lower() for a in cookie.split(";")], cookie
    assert not [c for c in tls_context.cookies() if c["name"] == "ipython_oidc_client_return"]
