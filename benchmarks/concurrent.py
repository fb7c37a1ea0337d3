"""N notebooks in one JupyterLab page call authenticate() with the same config at once: how many
sign-ins the provider performed (its spy file of issued codes), how many kernels got the token, and
how long after the common start the last one had it.

"At once": each notebook's cell first waits at a barrier held by this process (a socket read, no
polling), so that every kernel is released in the same moment, then calls authenticate()."""

from __future__ import annotations

from ._env import Env, log, press_run
from ._report import Row, seconds, spread
from ._timeline import MARKS_JS


def _cell(label: str, config: dict[str, object]) -> str:
    return (
        f"bench_barrier({label!r})\n_t0 = _btime.time()\n"
        f"s_{label} = authenticate({config!r}, {{}}, timeout=60)\nbench_watch({label!r}, s_{label}, _t0)"
    )


def rows(env: Env, n: int) -> list[Row]:
    env.ensure_provider_session()  # a live provider session: no forms
    ctx = env.new_context()
    ctx.add_init_script(MARKS_JS)
    config = env.config("concurrent")
    labels = [f"conc{i:02d}" for i in range(n)]
    names = [env.notebook([_cell(label, config)]) for label in labels]
    nb = env.open(ctx, names[0])
    press_run(nb, 1)
    env.probe.wait_held(1, 60)
    for i, name in enumerate(names[1:], start=2):
        nb.open_in_same_page(name)
        nb.run_and_wait(0, "bench-ready", timeout=120_000)
        press_run(nb, 1)
        env.probe.wait_held(i, 60)
        log(f"{i} of {n} notebooks open and waiting")
    codes_before = sum("code" in e for e in env.provider.issued())
    released = env.probe.release()
    reports = [env.report(label, nb.page, timeout=150) for label in labels]
    codes = sum("code" in e for e in env.provider.issued()) - codes_before
    # Sign-in windows the page opened after the release (the in-page marks of signin.py).
    opens = nb.page.evaluate(
        "t => (window.__benchMarks || []).filter(([n, at]) => n.startsWith('window.open called') && at >= t)"
        ".map(([n, at]) => at)",
        released * 1000,
    )
    opened = len(opens)
    window = f"; the window opened {min(opens) / 1000 - released:.3f} s after the release" if opens else ""
    got = [r for r in reports if r["has_token"] and r["received_at"] is not None]
    arrivals = [float(r["received_at"]) - released for r in got]
    starts = [float(r["t0"]) - released for r in reports]
    errors = sorted({str(r["error"]) for r in reports if not r["has_token"]})
    log(f"{n} notebooks: {codes} sign-ins at the provider, {len(got)} kernels with the token")
    env.done(ctx)
    how = (
        f"{n} notebooks opened one after another in one JupyterLab page (from its file browser), each "
        "cell held at a barrier in its kernel, then all released together"
    )
    last = max(arrivals) if arrivals else float("nan")
    return [
        Row(
            f"{n} notebooks at once: sign-ins the provider performed",
            f"{codes} ({opened} sign-in windows opened{window})",
            "1",
            codes == 1,
            f"{how}; authorization codes the provider issued meanwhile (its spy file).",
        ),
        Row(
            f"{n} notebooks at once: kernels holding the token",
            f"{len(got)} of {n}" + (f" (errors: {', '.join(errors)})" if errors else ""),
            str(n),
            len(got) == n,
            "kernels whose SignIn received a token before its 90 s watch ended.",
        ),
        Row(
            f"{n} notebooks at once: until the last kernel has the token",
            f"{seconds(last)}; per kernel {spread(arrivals, seconds)}; "
            f"cells started {spread(starts, seconds)}",
            "≤ 2.000 s",
            (last <= 2.0) if len(got) == n else False,
            "from the release of the barrier (this process's clock) to the latest SignIn.received_at.",
        ),
    ]
