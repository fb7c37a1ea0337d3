#!/usr/bin/env bash
# The demo: a local OpenID provider (the one the tests use) and JupyterLab with a notebook that
# signs in against it. Everything listens on 127.0.0.1 only.
#   bash demo/run.sh                      (PORT=8888 IDP_PORT=9090 by default; Ctrl+C stops both)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${PORT:-8888}
IDP_PORT=${IDP_PORT:-9090}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
[[ -n "${DEMO_SKIP_INSTALL:-}" ]] || bash tests/install.sh --demo

WORK=$(mktemp -d)
TOKEN=$("$PYTHON" -c "import secrets; print(secrets.token_hex(16))")
ISSUER="http://127.0.0.1:$IDP_PORT"

cat > "$WORK/provider.json" <<JSON
{"port": $IDP_PORT, "clients": [{"client_id": "notebooks", "redirect_uris": [
  "http://127.0.0.1:$PORT/oidc/redirect.html", "http://localhost:$PORT/oidc/redirect.html"]}]}
JSON
sed "s|http://127.0.0.1:9090|$ISSUER|g" demo/sign-in.ipynb > "$WORK/sign-in.ipynb"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

setsid node tests/e2e/provider/provider.mjs "$WORK/provider.json" > "$WORK/provider.log" 2>&1 &
pids+=($!)
setsid "$PYTHON" -m jupyter lab --no-browser --ip=127.0.0.1 --port="$PORT" --port-retries=0 \
  --IdentityProvider.token="$TOKEN" --ServerApp.root_dir="$WORK" \
  $([[ $(id -u) -eq 0 ]] && echo --allow-root) > "$WORK/jupyter.log" 2>&1 &
pids+=($!)

UP='import sys, urllib.request as u
u.urlopen(u.Request(f"http://127.0.0.1:{sys.argv[1]}/api/status",
                    headers={"Authorization": "token " + sys.argv[2]}), timeout=2)'
for _ in $(seq 1 600); do
  if grep -q "listening on" "$WORK/provider.log" && "$PYTHON" -c "$UP" "$PORT" "$TOKEN" 2>/dev/null; then
    echo "Identity provider: $ISSUER (log in with any name and password)"
    echo "Open this URL:     http://127.0.0.1:$PORT/lab/tree/sign-in.ipynb?token=$TOKEN"
    echo "Run the first code cell, sign in in the popup, then run the next one. Ctrl+C stops the demo."
    wait
    exit 0
  fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/provider.log" "$WORK/jupyter.log" >&2; exit 1; }
  done
  sleep 0.1
done
echo "The demo did not start within 60 s:" >&2
cat "$WORK/provider.log" "$WORK/jupyter.log" >&2
exit 1
