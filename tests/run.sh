#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every suite (the end-to-end ones
# included, against oidc-provider, JupyterLab and Chromium on 127.0.0.1).
#   bash tests/run.sh
set -uo pipefail
cd "$(dirname "$0")/.."
bash tests/install.sh || exit 1

failed=()
step() {
  local name=$1; shift
  echo "== $name"
  "$@" || failed+=("$name")
}

step "ruff" .venv/bin/ruff check ipython_oidc_client tests benchmarks
step "ruff format" .venv/bin/ruff format --check ipython_oidc_client tests benchmarks
step "mypy" .venv/bin/mypy
step "tsc (strict)" npx --no-install tsc --noEmit -p .
step "JS unit tests" npm test --silent
# What the widget ships: esbuild bundles only runtime dependencies, and there are none today; this
# fails the run the day one with a known vulnerability is added. (pip-audit would do the same for the
# Python dependencies, but its advisory sources, PyPI's per-release JSON and OSV, are not reachable
# from this project's CI machines.)
step "npm audit (shipped dependencies)" npm audit --omit=dev --audit-level=low
# Three suites at once, each in one process: the image tests spend their time in docker builds
# (debootstrap, apt, pip), not on this machine's CPUs, and the unit suites of the newest and the
# oldest versions take one CPU each. Their output is shown as each ends, in this order.
declare -A bg_pid bg_log
bg_step() {
  local name=$1; shift
  bg_log[$name]=$(mktemp)
  ( "$@" >"${bg_log[$name]}" 2>&1 ) &
  bg_pid[$name]=$!
}
bg_wait() {
  local name=$1 rc=0
  echo "== $name"
  wait "${bg_pid[$name]}" || rc=$?
  cat "${bg_log[$name]}"
  rm -f "${bg_log[$name]}"
  (( rc == 0 )) || failed+=("$name")
}
# Builds and runs both images (Dockerfile, Dockerfile.dev) and checks the sdist and wheel.
bg_step "docker images" .venv/bin/python -m pytest tests/docker -p no:cacheprovider -rA
bg_step "oldest versions" bash tests/oldest.sh
step "Python unit and server tests" .venv/bin/python -m pytest tests/unit tests/server -p no:cacheprovider
bg_wait "oldest versions"
bg_wait "docker images"
# Playwright's sync API and pytest-jupyter's fixtures fight over the event loop: own process.
step "end-to-end tests" .venv/bin/python -m pytest tests/e2e -p no:cacheprovider -rA --durations=15
# Sign-in without a notebook frontend: plain python and terminal IPython, the provider and Chromium.
step "native flows" .venv/bin/python -m pytest tests/native -p no:cacheprovider -rA
# The benchmark, once, in its quick mode, so that it cannot rot: it fails only when the harness
# breaks, not when a figure misses its target (the table says that).
step "benchmarks (quick)" .venv/bin/python -m benchmarks --quick

if (( ${#failed[@]} )); then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all suites passed"
