#!/bin/bash
# Start of the contributor image (Dockerfile.dev): install the checkout mounted at /project
# editable, keep its JavaScript built while it changes, then run the command (JupyterLab by
# default) as the owner of the checkout.
set -euo pipefail
cd /project
if [[ ! -f pyproject.toml || ! -d js ]]; then
  echo "No ipython-oidc-client checkout at /project. From the checkout's root, run:" >&2
  echo "  docker run -p 8888:8888 -v \$(pwd):/project --rm -it IMAGE" >&2
  exit 2
fi

# 1. The editable install (as root: it writes into the system Python). It puts /project on the
#    kernels' sys.path, and the package's jupyter-config file enables the server extension. The
#    image holds every dependency, so nothing is downloaded. SKIP_JUPYTER_BUILDER: no npm here, the
#    builds below run as the checkout's owner, so that the files they write belong to them.
echo "== pip install -e /project"
SKIP_JUPYTER_BUILDER=1 pip install --quiet --no-deps --no-build-isolation --editable /project

# 2. Who runs everything else: whoever owns the checkout. A root-owned checkout (Docker Desktop
#    shows mounts so; a CI clone) runs as root, which Jupyter accepts only when told.
uid=$(stat -c %u /project)
gid=$(stat -c %g /project)
as_owner=()
if [[ $uid == 0 ]]; then
  export JUPYTER_ALLOW_ROOT=1
else
  getent group "$gid" >/dev/null || groupadd --gid "$gid" dev
  getent passwd "$uid" >/dev/null ||
    useradd --uid "$uid" --gid "$gid" --no-create-home --home-dir /home/dev --shell /bin/bash dev
  HOME=$(getent passwd "$uid" | cut -d: -f6)
  USER=$(getent passwd "$uid" | cut -d: -f1)
  export HOME USER
  mkdir -p "$HOME"
  chown "$uid:$gid" "$HOME"
  as_owner=(setpriv --reuid="$uid" --regid="$gid" --clear-groups)
fi
# The install wrote ipython_oidc_client/_version.py (package.json's version) as root: the owner's
# own `pip install -e .` on the host writes it again, and could not if root kept it.
chown "$uid:$gid" ipython_oidc_client/_version.py

# 3. The JavaScript: one build now (so that the first page has it and its errors show here), then
#    esbuild in watch mode for the widget and the callback page. --watch=forever: plain --watch
#    stops when stdin closes, and a container started without -i has none. setsid: the watchers
#    leave the terminal's process group, so that the Ctrl+C that Jupyter asks about does not end
#    them; they end with the container.
echo "== npm run build, then esbuild watching js/"
"${as_owner[@]}" npm run --silent build ||
  echo "The JavaScript did not build; the watchers rebuild it on the next change." >&2
"${as_owner[@]}" setsid npm run --silent build:widget -- --watch=forever &
"${as_owner[@]}" setsid npm run --silent build:callback -- --watch=forever &

# 4. JupyterLab (or the given command). tini, PID 1, signals the whole process group at the end.
echo "== $*"
exec "${as_owner[@]}" "$@"
