"""Where the time of one sign-in goes: the browser's own timings (Playwright's resource timing,
wall-clock ms) of the requests the page and its popup made, and marks that an init script takes in
the page (Date.now(), 1 ms) when widget messages cross the kernel websocket and when the popup
opens, all set against the Shift+Enter press. The marks hold names and times, never a message."""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Request


@dataclass
class Fetch:
    url: str
    start: float  # time.time() seconds
    end: float


def record(request: Request) -> Fetch | None:
    t = request.timing
    if t["startTime"] <= 0:
        return None
    start = t["startTime"] / 1000
    return Fetch(request.url, start, start + max(t["responseEnd"], 0) / 1000)


# Observes, and changes nothing: WebSocket frames are matched against a few patterns, window.open
# is passed through. Frames may be binary (JupyterLab's v1 websocket protocol): decoded as latin-1.
MARKS_JS = r"""
(() => {
  if (window.__benchMarks) return;
  const marks = (window.__benchMarks = []);
  const patterns = [
    ["page→kernel", "execute_request sent", /"msg_type":"execute_request"/],
    ["kernel→page", "widget comm_open received", /"comm_open"[\s\S]*OidcWidget/],
    ["page→kernel", "widget 'ready' sent to the kernel", /"type":"ready"/],
    ["kernel→page", "kernel's 'start' received", /"type":\s?"start"/],
    ["page→kernel", "token message sent to the kernel", /"type":"token"/],
  ];
  const seen = (dir, data) => {
    try {
      const s = typeof data === "string" ? data : new TextDecoder("latin1").decode(data);
      for (const [d, name, re] of patterns) if (d === dir && re.test(s)) marks.push([name, Date.now()]);
    } catch (e) {}
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    seen("page→kernel", data);
    return send.call(this, data);
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => seen("kernel→page", e.data));
    }
  };
  const open = window.open;
  window.open = function (...args) {
    marks.push(["window.open called (the popup)", Date.now()]);
    const popup = open.apply(this, args);
    marks.push(["window.open returned", Date.now()]);
    return popup;
  };
})();
"""

# (milestone, URL pattern, start or end of that request), in the order a sign-in passes them.
STEPS = [
    ("return path kept by the server (redirect mode)", r"oidc/return-path$", "start"),
    ("shared widget module requested", r"static/ipython_oidc_client/widget\.js", "start"),
    ("shared widget module loaded", r"static/ipython_oidc_client/widget\.js", "end"),
    ("/oidc/providers requested", r"oidc/providers$", "start"),
    ("/oidc/providers loaded", r"oidc/providers$", "end"),
    ("provider discovery requested", r"/\.well-known/openid-configuration$", "start"),
    ("provider discovery loaded", r"/\.well-known/openid-configuration$", "end"),
    ("navigation to the provider's /auth", r"/auth\?", "start"),
    ("provider redirects to the callback page", r"oidc/redirect\.html$", "start"),
    ("callback script loaded", r"static/ipython_oidc_client/callback\.js", "end"),
    ("callback page sends the tab back (redirect mode)", r"oidc/return$", "start"),
    ("JupyterLab page requested again (redirect mode)", r"/lab/tree/", "start"),
    ("token request sent", r"/token$", "start"),
    ("token response received", r"/token$", "end"),
    ("JWKS requested", r"/jwks$", "start"),
    ("JWKS loaded", r"/jwks$", "end"),
]


@dataclass
class Trace:
    fetches: list[Fetch]
    marks: list[tuple[str, float]]  # (name, Date.now() in ms)
    pressed: float
    cell_start: float
    received: float


def milestones(t: Trace) -> dict[str, float]:
    """Seconds after the key press of each step of the sign-in between ``pressed`` and ``received``."""
    pressed, received = t.pressed, t.received
    out = {"cell starts in the kernel (its time.time())": t.cell_start - pressed}
    for name, at in t.marks:
        if pressed <= at / 1000 <= received and name not in out:
            out[name] = at / 1000 - pressed
    window = [f for f in t.fetches if pressed <= f.start <= received]
    for name, pattern, edge in STEPS:
        match = next((f for f in sorted(window, key=lambda f: f.start) if re.search(pattern, f.url)), None)
        if match:
            out[name] = (match.start if edge == "start" else match.end) - pressed
    out["token in the kernel (SignIn.received_at)"] = received - pressed
    return out
