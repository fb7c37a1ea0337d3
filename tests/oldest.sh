#!/usr/bin/env bash
# The oldest versions we claim to support: the oldest Python (requires-python) with the lowest
# version of every dependency that pyproject.toml allows (each `>=` floor of
# [project].dependencies, pinned), then tests/unit and tests/server and mypy for that Python.
#   bash tests/oldest.sh            (after tests/install.sh: it uses .venv's Python to read
#                                    pyproject.toml, and the widget bundle that install built)
# Python: $OLDEST_PYTHON if set, else a python3.9 found on PATH or in pyenv. Only PyPI, npm and
# Debian's apt are reachable from CI, and Debian ships no 3.9: when none is found, the dependency
# floors are still checked, on the Python that is there, and one line says what was skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-oldest
tools=.venv/bin/python

# The oldest Python: the bound of requires-python (">=3.9" → 3.9).
oldest=$("$tools" -c '
import re, tomllib
spec = tomllib.load(open("pyproject.toml", "rb"))["project"]["requires-python"]
print(re.fullmatch(r">=\s*(\d+\.\d+)", spec.strip()).group(1))')

is_oldest() {  # is $1 an interpreter of the oldest Python?
  [[ -x "$1" ]] && [[ $("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) == "$oldest" ]]
}

python=""
for candidate in "${OLDEST_PYTHON:-}" "$(command -v "python$oldest" || true)" \
  "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$oldest".*/bin/python"$oldest" \
  /root/.pyenv/versions/"$oldest".*/bin/python"$oldest"; do
  if [[ -n "$candidate" ]] && is_oldest "$candidate"; then python=$candidate; break; fi
done
if [[ -z "$python" ]]; then
  python=$(command -v python3)
  echo "SKIPPED the oldest Python: no Python $oldest found (set OLDEST_PYTHON, or install it with pyenv;" \
    "CI cannot download one), so the lowest dependency versions are checked on $("$python" -V) instead."
fi
echo "== Python: $python ($("$python" -V 2>&1))"

# uv resolves and installs in seconds where pip takes minutes; it comes from PyPI.
"$tools" -m pip install -q "uv>=0.4"
uv=.venv/bin/uv

# Constraints: each dependency pinned at its floor ("anywidget>=0.9" → "anywidget==0.9"; a marker
# is kept). The test tools are not pinned: they get the newest versions that agree with these.
rm -rf "$venv"
"$uv" venv -q --python "$python" "$venv"
"$tools" - >"$venv/constraints.txt" <<'EOF'
import re, sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
for dep in project["dependencies"]:
    name, spec, marker = re.fullmatch(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*([^;]*?)\s*(;.*)?", dep).groups()
    floor = re.search(r">=\s*([0-9][^,\s]*)", spec)
    if floor:
        print(f"{name}=={floor.group(1)}{marker or ''}")
    else:
        print(f"tests/oldest.sh: {dep!r} has no >= floor, so it is not pinned", file=sys.stderr)
EOF
# The test extra, less what only the end-to-end tests use (browser, frontends, hub).
mapfile -t test_tools < <("$tools" - <<'EOF'
import re, tomllib
e2e_only = {"playwright", "jupyterlab", "notebook", "nbclassic", "jupyterhub"}
for dep in tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["test"]:
    if re.match(r"[A-Za-z0-9_.\-]+", dep).group().lower() not in e2e_only:
        print(dep)
EOF
)

echo "== pinned at their floors: $(paste -sd ' ' "$venv/constraints.txt")"
# SKIP_JUPYTER_BUILDER: no npm build; the tests use the bundle tests/install.sh built.
SKIP_JUPYTER_BUILDER=1 "$uv" pip install -q --python "$venv/bin/python" \
  -c "$venv/constraints.txt" -e . "${test_tools[@]}"
"$uv" pip list -q --python "$venv/bin/python" 2>/dev/null \
  | grep -Ei '^(anywidget|ipython|jupyter[_-]server|traitlets|ipywidgets|ipykernel|tornado|pytest) ' || true

# `await signin` needs ipykernel 7, which needs Python >= 3.10: with ipykernel 6 the await tests
# cannot pass (wait() refuses at once, by design; test_await_fails_at_once_on_ipykernel_6 checks that).
deselect=()
if ! "$venv/bin/python" -c 'import ipykernel, sys; sys.exit(ipykernel.version_info < (7,))'; then
  echo "== ipykernel $("$venv/bin/python" -c 'import ipykernel; print(ipykernel.__version__)'):" \
    "deselecting the tests of \`await signin\` (ipykernel >= 7)"
  deselect=(-k "not (test_await_ and not ipykernel_6)")
fi
status=0
"$venv/bin/python" -m pytest tests/unit tests/server -p no:cacheprovider -q "${deselect[@]}" || status=1
# mypy for the oldest Python. Not in .venv: mypy reads the installed libraries with the grammar of the
# Python it checks for, and today's (tornado, pydantic: Python >= 3.10) use `match`. Not against the
# floors either: their older releases are untyped, which strict mode reports at every call. So: the
# newest releases that still install on that Python. mypy 2 cannot check for Python 3.9.
if is_oldest "$venv/bin/python"; then
  echo "== mypy for Python $oldest (the newest dependency versions for it)"
  "$uv" pip install -q --python "$venv/bin/python" --upgrade -e . "mypy>=1.10,<2"
  "$venv/bin/mypy" --python-version "$oldest" || status=1
fi
exit $status
