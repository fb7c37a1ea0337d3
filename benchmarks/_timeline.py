"""Where the time of one sign-in goes: the browser's own timings (Playwright's resource timing,
wall-clock ms) of the requests the page and its popup made, and marks that init scripts take in the
page (Date.now(), 1 ms) when widget messages cross the kernel websocket, when the popup opens and
when a widget comes to show a live session, all set against the Shift+Enter press (or the reload).
The marks hold names and times, never a message.

The provider's /token and JWKS are no longer the browser's: the server's token keeper asks them while
the page waits for its POST oidc/redeem, so they show as that request's duration."""

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
# The kernel's JSON has spaces after colons, the page's has none.
MARKS_JS = r"""
(() => {
  if (window.__benchHooks) return;
  window.__benchHooks = true;
  const marks = (window.__benchMarks = window.__benchMarks || []);
  const patterns = [
    ["page→kernel", "execute_request sent", /"msg_type":"execute_request"/],
    ["kernel→page", "widget comm_open received", /"comm_open"[\s\S]*OidcWidget/],
    ["page→kernel", "widget 'ready' sent to the kernel", /"type":"ready"/],
    ["kernel→page", "kernel's 'start' received", /"type":\s?"start"/],
    ["kernel→page", "kernel's 'rejoin' received (a view drawn again)", /"type":\s?"rejoin"/],
    ["page→kernel", "'session' (its id) sent to the kernel", /"type":"session"/],
    ["kernel→page", "kernel's 'attached' received", /"type":\s?"attached"/],
    ["page→kernel", "token relayed to the kernel by the page", /"type":"token"/],
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

SHOWN = "widget shows the live session (data-status=signed_in)"

# Marks the moment each widget element of the page first shows data-status="signed_in" (a mutation
# observer's callback runs right after the DOM change). Only in the pages of the reload and restart
# figures: the observer's work stays out of the others.
STATUS_JS = r"""
(() => {
  if (window.__benchStatus) return;
  window.__benchStatus = true;
  const marks = (window.__benchMarks = window.__benchMarks || []);
  const shown = new WeakSet();
  const look = () => {
    for (const el of document.querySelectorAll('.ipython-oidc-client[data-status="signed_in"]')) {
      if (!shown.has(el)) {
        shown.add(el);
        marks.push(["__SHOWN__", Date.now()]);
      }
    }
  };
  new MutationObserver(look).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"],
  });
})();
""".replace("__SHOWN__", SHOWN)

# (milestone, URL pattern, start or end of that request), in the order a sign-in passes them.
STEPS = [
    ("return path kept by the server (redirect mode)", r"oidc/return-path$", "start"),
    ("JupyterLab page requested (reload; redirect mode: again)", r"/lab/tree/", "start"),
    ("shared widget module requested", r"static/ipython_oidc_client/widget\.js", "start"),
    ("shared widget module loaded", r"static/ipython_oidc_client/widget\.js", "end"),
    ("/oidc/providers requested", r"oidc/providers$", "start"),
    ("/oidc/providers loaded", r"oidc/providers$", "end"),
    ("POST oidc/signin sent (the keeper makes the request)", r"oidc/signin$", "start"),
    ("oidc/signin answered (the provider's URL, or the live session)", r"oidc/signin$", "end"),
    ("GET oidc/instances/… sent (the widget's session, after a reload)", r"oidc/instances/", "start"),
    ("oidc/instances/… answered", r"oidc/instances/", "end"),
    ("navigation to the provider's /auth", r"/auth\?", "start"),
    ("provider redirects to the callback page", r"oidc/redirect\.html$", "start"),
    ("callback script loaded", r"static/ipython_oidc_client/callback\.js", "end"),
    ("callback page sends the tab back (redirect mode)", r"oidc/return$", "start"),
    ("POST oidc/redeem sent (the answer to the keeper)", r"oidc/redeem$", "start"),
    ("oidc/redeem answered (keeper: /token, JWKS, ID token checked)", r"oidc/redeem$", "end"),
]


@dataclass
class Trace:
    fetches: list[Fetch]
    marks: list[tuple[str, float]]  # (name, Date.now() in ms)
    pressed: float
    cell_start: float | None  # the kernel's time.time() when the cell began; None: no cell ran
    received: float | None  # SignIn.received_at; None: the figure ends elsewhere (a reload)
    end: float = 0.0  # the end of the window looked at, when later than `received`


def milestones(t: Trace) -> dict[str, float]:
    """Seconds after the key press (or the reload) of each step between it and the window's end."""
    pressed = t.pressed
    end = max(t.received or 0.0, t.end)
    out = {}
    if t.cell_start is not None:
        out["cell starts in the kernel (its time.time())"] = t.cell_start - pressed
    for name, at in t.marks:
        if pressed <= at / 1000 <= end and name not in out:
            out[name] = at / 1000 - pressed
    window = [f for f in t.fetches if pressed <= f.start <= end]
    for name, pattern, edge in STEPS:
        match = next((f for f in sorted(window, key=lambda f: f.start) if re.search(pattern, f.url)), None)
        if match:
            out[name] = (match.start if edge == "start" else match.end) - pressed
    if t.received is not None:
        out["token in the kernel (SignIn.received_at)"] = t.received - pressed
    return out
