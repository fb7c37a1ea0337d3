"""The state-changing endpoint keeps jupyter_server's XSRF check: a cookie-authenticated POST
without X-XSRFToken is refused, one with it is accepted."""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from typing import Any

from jupyter_server.utils import url_path_join


async def _cookies(http_server_client: Any, url: str) -> dict[str, str]:
    response = await http_server_client.fetch(url, follow_redirects=False, raise_error=False)
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("Set-Cookie"):
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


async def browser_cookies(http_server_client: Any, jp_base_url: str, jp_serverapp: Any) -> dict[str, str]:
    """What a browser holds after logging in with the token: a login cookie and an _xsrf cookie."""
    token = jp_serverapp.identity_provider.token
    cookies = await _cookies(http_server_client, url_path_join(jp_base_url, "login"))  # sets _xsrf
    cookies |= await _cookies(http_server_client, url_path_join(jp_base_url, "login") + f"?token={token}")
    assert "_xsrf" in cookies and any(name.startswith("username-") for name in cookies)
    return cookies


async def _post(http_server_client: Any, base: str, cookies: dict[str, str], headers: dict[str, str]) -> Any:
    return await http_server_client.fetch(
        url_path_join(base, "oidc/return-path"),
        method="POST",
        body=json.dumps({"path": url_path_join(base, "lab/tree/x.ipynb")}),
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **headers},
        follow_redirects=False,
        raise_error=False,
    )


async def test_cookie_authenticated_post_without_xsrf_token_is_refused(
    http_server_client: Any, jp_base_url: str, jp_serverapp: Any
) -> None:
    cookies = await browser_cookies(http_server_client, jp_base_url, jp_serverapp)
    response = await _post(http_server_client, jp_base_url, cookies, {})
    assert response.code == 403
    assert b"_xsrf" in response.body


async def test_cookie_authenticated_post_with_xsrf_token_is_accepted(
    http_server_client: Any, jp_base_url: str, jp_serverapp: Any
) -> None:
    cookies = await browser_cookies(http_server_client, jp_base_url, jp_serverapp)
    response = await _post(http_server_client, jp_base_url, cookies, {"X-XSRFToken": cookies["_xsrf"]})
    assert response.code == 204


async def test_post_without_any_login_is_refused(http_server_client: Any, jp_base_url: str) -> None:
    response = await _post(http_server_client, jp_base_url, {}, {})
    assert response.code == 403
