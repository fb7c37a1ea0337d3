#!/usr/bin/env bash
# Install what the tests and the demo need, on a fresh machine: Debian's Chromium (tests only),
# the npm packages (widget build, test provider), and the Python packages in ./.venv.
#   bash tests/install.sh            everything, for the tests
#   bash tests/install.sh --demo     the demo only: the package, JupyterLab and the provider, in .venv-demo
set -euo pipefail
cd "$(dirname "$0")/.."

with_browser=1
[[ "${1:-}" == "--demo" ]] && with_browser=0

apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing $*: install it with apt-get install -y $* (needs root), then run this again." >&2
    exit 1
  fi
  if [[ -z "${APT_UPDATED:-}" ]]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
if [[ $with_browser == 1 ]] && ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
  echo "== installing Debian's chromium"
  apt_install chromium
fi
if [[ $with_browser == 1 ]] && ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
  echo "== installing Debian's nginx (the TLS proxy of the end-to-end tests)"
  apt_install nginx-light openssl
  # The package may start a system nginx on port 80; the tests start their own.
  if command -v service >/dev/null; then service nginx stop >/dev/null 2>&1 || true; fi
fi

echo "== npm packages"
npm ci --no-audit --no-fund --loglevel=error
npm ci --no-audit --no-fund --loglevel=error --prefix tests/e2e/provider
[[ $with_browser == 1 ]] && npm ci --no-audit --no-fund --loglevel=error --prefix tests/e2e/hub

if [[ $with_browser == 0 ]]; then
  # The demo needs the package, JupyterLab (which brings ipykernel) and requests for its notebook:
  # not the test and lint tools of .venv.
  echo "== Python packages in .venv-demo (the package, JupyterLab, requests)"
  [[ -x .venv-demo/bin/python ]] || python3 -m venv .venv-demo
  .venv-demo/bin/python -m pip install -q --upgrade pip
  .venv-demo/bin/python -m pip install -q -e . "jupyterlab>=4,<5" requests
  exit 0
fi

echo "== Python packages in .venv"
[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# Installing the package runs the npm build (hatch-jupyter-builder) into ipython_oidc_client/static.
.venv/bin/python -m pip install -q -e ".[dev]"

if [[ $with_browser == 1 ]]; then
  # tests/docker: Debian's Docker engine (the tests start dockerd themselves when none runs),
  # debootstrap (a stand-in base image where no image registry is reachable), python -m build, and
  # the checks a release runs on what it would upload (twine check, check-wheel-contents).
  echo "== docker.io, debootstrap, build, twine, check-wheel-contents (the image and packaging tests)"
  command -v dockerd >/dev/null || [[ -x /usr/sbin/dockerd ]] || apt_install docker.io
  command -v debootstrap >/dev/null || [[ -x /usr/sbin/debootstrap ]] || apt_install debootstrap
  .venv/bin/python -m pip install -q build "twine>=6.1" "check-wheel-contents>=0.6"
fi

if [[ $with_browser == 1 ]]; then
  echo "== the classic notebook (notebook<7) in .venv-nb6, for its end-to-end tests"
  [[ -x .venv-nb6/bin/python ]] || python3 -m venv .venv-nb6
  .venv-nb6/bin/python -m pip install -q --upgrade pip
  .venv-nb6/bin/python -m pip install -q "notebook<7" requests -e .
fi
