"""A JavaScript CPU profile (CDP Profiler, 0.2 ms sampling) of the notebook page's main thread during
one extra fresh-page popup sign-in, not counted in the figures: whose code the page runs between
Shift+Enter and the token reaching the kernel."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ._env import Env
from .signin import FRESH, Samples, WatchedPage, cell

SPECIAL = {"(idle)", "(program)", "(garbage collector)", "(root)"}


def _category(url: str, function: str) -> str:
    if function in SPECIAL:
        return function
    if "static/ipython_oidc_client/widget.js" in url:
        return "widget module, shared copy (static/ipython_oidc_client/widget.js)"
    if url.startswith("blob:"):
        return "widget module, anywidget's blob: copy"
    if "/static/lab/" in url or "/lab/extensions/" in url:
        return "JupyterLab and its extensions"
    return "browser APIs called by scripts (window.open, …)" if not url else "other scripts"


def _self_times(profile: dict[str, Any]) -> dict[int, float]:
    """Milliseconds of samples per profile node (a sample's delta is the time to the next one)."""
    times: dict[int, float] = defaultdict(float)
    samples, deltas = profile.get("samples", []), profile.get("timeDeltas", [])
    for i, node in enumerate(samples):
        if i + 1 < len(deltas):
            times[node] += deltas[i + 1] / 1000
    return times


def profiled_sign_in(env: Env) -> tuple[str, list[str], list[list[str]]]:
    page = WatchedPage(env, [cell("profiled", env.config("profiled"))])
    cdp = page.ctx.new_cdp_session(page.nb.page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    cdp.send("Profiler.start")
    took = page.sign_in(1, "profiled", FRESH, Samples())
    profile = cdp.send("Profiler.stop")["profile"]
    env.done(page.ctx)
    nodes = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    by_category: dict[str, float] = defaultdict(float)
    by_function: dict[str, float] = defaultdict(float)
    for node, spent in _self_times(profile).items():
        frame = nodes[node]
        name = frame["functionName"] or "(anonymous)"
        by_category[_category(frame["url"], name)] += spent
        if name not in SPECIAL:
            where = frame["url"].split("?")[0].rsplit("/", 1)[-1][:40]
            by_function[f"{name} ({where}:{frame['lineNumber'] + 1})"] += spent
    total = sum(by_category.values())
    rows = [
        [k, f"{v:.0f} ms", f"{v / total:.0%}"] for k, v in sorted(by_category.items(), key=lambda kv: -kv[1])
    ]
    top = sorted(by_function.items(), key=lambda kv: -kv[1])[:6]
    rows.append(["busiest functions (self time)", "; ".join(f"{k} {v:.0f} ms" for k, v in top), ""])
    title = (
        f"CPU profile of the notebook page's main thread during one more fresh-page popup sign-in "
        f"({took:.3f} s, profiled, not counted above)"
    )
    return (title, ["where", "self time", "share"], rows)
