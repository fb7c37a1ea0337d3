"""``Token.aiohttp_middleware(origin)``: an aiohttp (>= 3.12) client middleware."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import missing

try:
    from aiohttp import ClientHandlerType, ClientMiddlewareType, ClientRequest, ClientResponse, hdrs
    from yarl import URL
except ImportError as e:
    raise missing("aiohttp", "aiohttp", "aiohttp_middleware()") from e

if TYPE_CHECKING:
    from .._token import Token


def _origin(url: URL) -> tuple[str, str, int | None]:
    # yarl gives the scheme's default port when none is written: https://a and https://a:443 are one.
    return url.scheme.lower(), (url.host or "").lower(), url.port


def middleware(token: Token, origins: tuple[str, ...]) -> ClientMiddlewareType:
    """Sets Authorization with the token current at each request, for requests to ``origins`` only.

    aiohttp calls a session's middlewares again for every redirect it follows, and a redirect to
    another origin has had its Authorization removed by aiohttp: a middleware that set it on every
    request would hand the token to whatever host a redirect names. An Authorization the request
    already carries (given by the caller) is left as it is.
    """
    allowed = set()
    for origin in origins:
        url = URL(origin)
        if url.scheme.lower() not in ("http", "https") or not url.host:
            raise ValueError(
                f"{origin!r} is not an origin: give the http(s) URL of the API the token is for, "
                "e.g. token.aiohttp_middleware('https://api.example')."
            )
        allowed.add(_origin(url))

    async def authorize(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        if _origin(request.url) in allowed and hdrs.AUTHORIZATION not in request.headers:
            request.headers.update(token.headers)
        return await handler(request)

    return authorize
