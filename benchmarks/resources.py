"""Tokens per API (token.for_resource): with a live sign-in, how long the kernel waits for a token for
an API it has not asked for yet — one refresh grant with RFC 8707's ``resource`` at the provider, made
by the server's token keeper — and for one it has (the same Token again, no request)."""

from __future__ import annotations

from tests.e2e._page import sign_in

from ._env import Env
from ._report import Row, timed_row

CLIENT = "resources"


def rows(env: Env, runs: int) -> list[Row]:
    apis = [f"https://api-{i}.bench.example/" for i in range(runs)]
    idp = env.start_provider([CLIENT], resource_indicators=apis)
    config = {**env.config("resources", CLIENT, idp), "scope": "openid api", "resource": apis}
    ctx = env.new_context()
    try:
        nb = env.open(
            ctx,
            env.notebook(
                [
                    "from ipython_oidc_client import Token\ntoken = Token()\n"
                    f"s = authenticate({config!r}, token)",
                    "await s\nfirst, again = [], []\n"
                    f"for api in {apis!r}:\n"
                    "    t0 = _btime.monotonic()\n    t = token.for_resource(api)\n"
                    "    first.append(_btime.monotonic() - t0)\n"
                    "    t0 = _btime.monotonic()\n    token.for_resource(api)\n"
                    "    again.append(_btime.monotonic() - t0)\n"
                    "    assert t.get('access_token')\n"
                    "_bench_send({'label': 'resources', 'first': first, 'again': again})",
                ]
            ),
        )
        with nb.page.expect_popup() as popup:
            nb.run(1)
        sign_in(popup.value, "bench")  # a provider of its own: its login form, then its consent
        nb.wait_status("signed_in", index=1)
        nb.run(2)
        got = env.report("resources", nb.page)
    finally:
        env.done(ctx)
    how = "in the kernel, around token.for_resource(api) for an API not asked for yet, with a live sign-in"
    return [
        timed_row("for_resource: a new API (one refresh grant)", got["first"], 0.2, how),
        timed_row("for_resource: the same API again", got["again"], None, "the same call, a second time"),
    ]
