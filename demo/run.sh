#!/usr/bin/env bash
# The demo: a local OpenID provider (the one the tests use) and JupyterLab with a notebook that
# signs in against it. Everything listens on 127.0.0.1 only.
#   bash demo/run.sh                      (PORT=8888 IDP_PORT=9090 by default; Ctrl+C stops both)
# The first run installs the package, JupyterLab and the provider (in .venv-demo and
# tests/e2e/provider/node_modules): about two minutes; later runs start in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${PORT:-8888}
IDP_PORT=${IDP_PORT:-9090}
PYTHON=${PYTHON:-$ROOT/.venv-demo/bin/python}
[[ -n "${DEMO_SKIP_INSTALL:-}" ]] || bash tests/install.sh --demo

# The notebook folder holds only the notebook; the logs sit beside it, out of the file browser.
WORK=$(mktemp -d)
NOTEBOOKS=$WORK/notebooks
LOGS=$WORK/logs
mkdir -p "$NOTEBOOKS" "$LOGS"
TOKEN=$("$PYTHON" -c "import secrets; print(secrets.token_hex(16))")
ISSUER="http://127.0.0.1:$IDP_PORT"

cat > "$LOGS/provider.json" <<JSON
{"port": $IDP_PORT, "clients": [{"client_id": "notebooks", "redirect_uris": [
  "http://127.0.0.1:$PORT/oidc/redirect.html", "http://localhost:$PORT/oidc/redirect.html"]}]}
JSON
sed "s|http://127.0.0.1:9090|$ISSUER|g" demo/sign-in.ipynb > "$NOTEBOOKS/sign-in.ipynb"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

setsid node tests/e2e/provider/provider.mjs "$LOGS/provider.json" > "$LOGS/provider.log" 2>&1 &
pids+=($!)
setsid "$PYTHON" -m jupyter lab --no-browser --ip=127.0.0.1 --port="$PORT" --port-retries=0 \
  --IdentityProvider.token="$TOKEN" --ServerApp.root_dir="$NOTEBOOKS" \
  $([[ $(id -u) -eq 0 ]] && echo --allow-root) > "$LOGS/jupyter.log" 2>&1 &
pids+=($!)

UP='import sys, urllib.request as u
u.urlopen(u.Request(f"http://127.0.0.1:{sys.argv[1]}/api/status",
                    headers={"Authorization": "token " + sys.argv[2]}), timeout=2)'
for _ in $(seq 1 600); do
  if grep -q "listening on" "$LOGS/provider.log" && "$PYTHON" -c "$UP" "$PORT" "$TOKEN" 2>/dev/null; then
    echo "Identity provider: $ISSUER (log in with any name and password)"
    echo "Open this URL:     http://127.0.0.1:$PORT/lab/tree/sign-in.ipynb?token=$TOKEN"
    echo "Run the first code cell, sign in in the popup, then run the next one. Ctrl+C stops the demo."
    echo "The notebook folder ($NOTEBOOKS) and the logs ($LOGS) are deleted when the demo stops:"
    echo "download a notebook you want to keep (File > Download)."
    wait
    exit 0
  fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { cat "$LOGS/provider.log" "$LOGS/jupyter.log" >&2; exit 1; }
  done
  sleep 0.1
done
echo "The demo did not start within 60 s:" >&2
cat "$LOGS/provider.log" "$LOGS/jupyter.log" >&2
exit 1
