"""One list of error codes (ipython_oidc_client/_codes.py ErrorCode): the TypeScript ErrorCode union
is the same list, the README's table lists each, every code the package raises or sends is on it
(or is a provider's, passed through), and a provider's unknown code gets in only where a provider's
answer is read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ts_source import PACKAGE, ROOT, declaration, literals, package_trees, sources

from ipython_oidc_client._codes import ERROR_CODES, PROVIDER_ERROR_CODES

#: Where a code is raised or sent: the first argument of these, the value of an "error" key.
_RAISERS = {"AuthenticationError", "KeeperError", "failed"}
#: The two deliberate ways in for a code that is no literal (_codes.py).
_ESCAPES = {"provider_code", "relayed_code"}


def test_the_typescript_list_is_the_python_list() -> None:
    # Both ways: a code dropped from TypeScript but kept in Python fails as one added on one side.
    ts = literals("ErrorCode")
    assert ts == ERROR_CODES, {"only in TypeScript": ts - ERROR_CODES, "only in Python": ERROR_CODES - ts}


def _readme_codes() -> set[str]:
    text = (ROOT / "README.md").read_text()
    table = text[text.index("Every error code:") :]
    table = table[: table.index("\n\n", table.index("|"))]
    return {m for row in table.splitlines()[2:] for m in re.findall(r"`([a-z0-9_]+)`", row.split("|")[1])}


def test_the_readme_table_lists_exactly_the_codes() -> None:
    documented = _readme_codes()
    assert ERROR_CODES <= documented, f"missing from the README's table: {ERROR_CODES - documented}"
    # The table's other rows are a provider's codes (access_denied, "or another provider error code").
    extra = documented - ERROR_CODES
    assert extra <= PROVIDER_ERROR_CODES, f"in the README's table but raised by nothing: {extra}"


def _code_arguments() -> list[tuple[str, ast.expr]]:
    """(where, expression) for each code the package raises or sends: the first argument of
    AuthenticationError(…), KeeperError(…), failed(…), each ``"error": …`` of a dict literal, and
    each ``(code, message)`` a session's ``error`` is set to."""
    out = []
    for path, tree in package_trees().items():
        where = str(path.relative_to(PACKAGE))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                if name in _RAISERS:
                    out.append((f"{where}:{node.lineno}", node.args[0]))
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if isinstance(key, ast.Constant) and key.value == "error":
                        out.append((f"{where}:{node.lineno}", value))
            elif isinstance(node, ast.Assign) and any(
                getattr(t, "attr", getattr(t, "id", None)) == "error" for t in node.targets
            ):
                out.append((f"{where}:{node.lineno}", node.value))
    return out


def _literal_codes(expr: ast.expr) -> set[str]:
    """The codes an expression may be: a literal, either branch of ``a if c else b``, any of ``a or
    b``, a ``(code, message)`` pair's code. Anything else is no literal (mypy holds its type)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return _literal_codes(expr.body) | _literal_codes(expr.orelse)
    if isinstance(expr, ast.BoolOp):
        return set().union(*(_literal_codes(v) for v in expr.values))
    if isinstance(expr, ast.Tuple) and expr.elts:
        return _literal_codes(expr.elts[0])
    return set()


def test_every_code_raised_is_on_the_list_or_a_providers() -> None:
    sites = _code_arguments()
    assert len(sites) > 40, "the walk found too few raise sites: it is broken"
    unknown = {
        where: sorted(codes)
        for where, expr in sites
        if (codes := _literal_codes(expr) - ERROR_CODES - PROVIDER_ERROR_CODES)
    }
    assert not unknown, f"codes on no list (add them to _codes.py ErrorCode): {unknown}"


def test_a_providers_unknown_code_gets_in_only_where_its_answer_is_read() -> None:
    calls = {
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path, tree in package_trees().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "provider_code"
    }
    assert calls and all(c.startswith(str(Path("_native") / "checks")) for c in calls), calls


def test_every_code_on_the_list_is_raised_somewhere() -> None:
    # A code no one raises any more is a stale row of the README's table and of both lists.
    ts_list = declaration("ErrorCode")
    used = set()
    for _where, expr in _code_arguments():
        used |= _literal_codes(expr)
    for src in sources().values():
        used |= set(re.findall(r'"([a-z0-9_]+)"', src.replace(ts_list, "")))
    assert not ERROR_CODES - used, f"on the list, raised by nothing: {ERROR_CODES - used}"
