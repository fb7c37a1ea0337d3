"""The keeper's socket protocol (_keeper/wire.py, docs/keeper.md): the operations its server
dispatches and the fields each reads are the ones its clients send (the kernel's link and _follow,
the native engine, the Jupyter server's routes), and the events it writes (``session``, ``say``,
``failed``) carry the fields their readers read. Found by walking the package's syntax trees, so an
operation or a field renamed on one side only fails here."""

from __future__ import annotations

import ast
from collections import defaultdict
from typing import get_args

from ts_source import PACKAGE, declaration, fields, package_trees

from ipython_oidc_client._keeper import wire
from ipython_oidc_client._keeper.wire import EVENTS, OPS, NativeRequest
from ipython_oidc_client._protocol import tag

#: A client's own parameters, which are no fields of the request: Link.request / call take a
#: timeout (and a socket path); a server route's answer() takes reply_seconds and body fields.
_CLIENT_PARAMETERS = {
    "request": {"timeout", "path"},
    "call": {"timeout", "path"},
    "answer": {"reply_seconds", "fields"},
    "ask": {"timeout"},
}


def _function(path: str, name: str) -> ast.FunctionDef:
    tree = ast.parse((PACKAGE / path).read_text())
    (found,) = (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name)
    return found


def _gets(node: ast.AST, var: str) -> set[str]:
    """The keys read off ``var``: ``var.get("k")`` and ``var["k"]``."""
    out = set()
    for n in ast.walk(node):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "get"
            and getattr(n.func.value, "id", None) == var
            and n.args
            and isinstance(n.args[0], ast.Constant)
        ):
            out.add(n.args[0].value)
        if isinstance(n, ast.Subscript) and getattr(n.value, "id", None) == var:
            if isinstance(n.slice, ast.Constant):
                out.add(n.slice.value)
    return out


def _dispatched() -> dict[str, set[str]]:
    """server.py dispatch: each ``op == "x"`` branch and the request fields it reads. A branch that
    hands the whole request on (``native``) reads what sign_in_natively reads."""
    out: dict[str, set[str]] = {}
    for node in ast.walk(_function("_keeper/server.py", "dispatch")):
        if not isinstance(node, ast.If):
            continue
        for cmp in ast.walk(node.test):
            if (
                isinstance(cmp, ast.Compare)
                and getattr(cmp.left, "id", None) == "op"
                and isinstance(cmp.comparators[0], ast.Constant)
            ):
                body = ast.Module(body=node.body, type_ignores=[])
                read = _gets(body, "msg")
                handed_on = (
                    e
                    for n in ast.walk(body)
                    for e in (
                        n.args if isinstance(n, ast.Call) else n.elts if isinstance(n, ast.Tuple) else []
                    )
                )
                if any(isinstance(e, ast.Name) and e.id == "msg" for e in handed_on):
                    read |= _gets(_function("_keeper/native.py", "sign_in_natively"), "request")
                out[cmp.comparators[0].value] = read
    return out


def _requests() -> list[tuple[str, str, set[str]]]:
    """Every request a client sends: (where, op, the fields it sends). A request splatted from a
    typed dict (``**request`` of a parameter annotated with a wire TypedDict) sends its keys."""
    out = []
    for path, tree in package_trees().items():
        for func in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            typed = {a.arg: ast.unparse(a.annotation) for a in func.args.args if a.annotation is not None}
            for call in (n for n in ast.walk(func) if isinstance(n, ast.Call)):
                name = (
                    call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
                )
                if (
                    name not in _CLIENT_PARAMETERS
                    or not call.args
                    or not isinstance(call.args[0], ast.Constant)
                ):
                    continue
                sent: set[str] = set()
                if name == "ask" and len(call.args) > 1:  # ask(op, request, timeout=…): a typed dict's keys
                    hint = typed.get(getattr(call.args[1], "id", ""), "")
                    assert hasattr(wire, hint), (
                        f"{path}:{call.lineno}: {ast.unparse(call.args[1])} is no wire TypedDict"
                    )
                    sent |= set(getattr(wire, hint).__annotations__)
                for kw in call.keywords:
                    if kw.arg is None:  # **request: its TypedDict's keys
                        hint = typed.get(getattr(kw.value, "id", ""), "")
                        assert hasattr(wire, hint), (
                            f"{path}:{call.lineno}: **{ast.unparse(kw.value)} is no wire TypedDict"
                        )
                        sent |= set(getattr(wire, hint).__annotations__)
                    elif kw.arg == "fields":
                        sent |= {e.value for e in ast.walk(kw.value) if isinstance(e, ast.Constant)}
                    elif kw.arg not in _CLIENT_PARAMETERS[name]:
                        sent.add(kw.arg)
                out.append((f"{path.relative_to(PACKAGE)}:{call.lineno}", call.args[0].value, sent))
    return out


def test_the_keeper_dispatches_exactly_the_listed_operations() -> None:
    assert set(_dispatched()) == OPS


def test_every_operation_a_client_sends_is_dispatched() -> None:
    requests = _requests()
    assert len(requests) >= 10, "the walk found too few requests: it is broken"
    unknown = {where: op for where, op, _ in requests if op not in OPS}
    assert not unknown, f"operations the keeper does not know: {unknown}"
    # And each operation has a client; ping is the liveness probe of tests and of an operator.
    assert OPS - {op for _, op, _ in requests} <= {"ping"}


def test_each_request_sends_the_fields_the_keeper_reads() -> None:
    dispatched, sent = _dispatched(), defaultdict(set)
    for where, op, names in _requests():
        extra = names - dispatched.get(op, set())
        assert not extra, f"{where}: {op} sends fields the keeper never reads: {extra}"
        sent[op] |= names
    for op, names in sent.items():
        assert dispatched[op] <= names, (
            f"the keeper reads {dispatched[op] - names} of {op}, which no client sends"
        )


def test_a_native_request_is_what_the_keeper_reads() -> None:
    assert _gets(_function("_keeper/native.py", "sign_in_natively"), "request") == set(
        NativeRequest.__annotations__
    )


def _event_types() -> dict[str, type]:
    return {tag(cls, "event"): cls for cls in get_args(wire.Event)}


def test_every_event_written_has_its_fields() -> None:
    # Dicts with an "event" key anywhere in the package (typed ones are checked by mypy too).
    written = set()
    for path, tree in package_trees().items():
        for node in (n for n in ast.walk(tree) if isinstance(n, ast.Dict)):
            keys = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
            if "event" not in keys:
                continue
            name = keys["event"].value  # type: ignore[attr-defined]
            cls = _event_types()[name]
            required = cls.__required_keys__  # type: ignore[attr-defined]
            assert required <= set(keys) <= set(cls.__annotations__), (f"{path.name}:{node.lineno}", name)
            written.add(name)
    assert written == EVENTS


def test_every_event_field_read_is_written() -> None:
    # The readers: the kernel's follower (_follow.py) and the native engine's session (_native).
    all_fields = set().union(*(cls.__annotations__ for cls in _event_types().values()))
    read, told_apart = set(), set()
    for tree in package_trees().values():
        for func in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            if [a.arg for a in func.args.args][-1:] != ["event"]:
                continue
            read |= _gets(func, "event")
            for cmp in (n for n in ast.walk(func) if isinstance(n, ast.Compare)):
                subject = ast.unparse(cmp.left)
                if subject in ("kind", 'event.get("event")', "event.get('event')"):
                    told_apart |= {c.value for c in cmp.comparators if isinstance(c, ast.Constant)}
    assert read and read <= all_fields, read - all_fields
    assert told_apart == EVENTS, told_apart ^ EVENTS


def test_a_sessions_view_has_every_field_the_page_reads() -> None:
    # Session.view() crosses to the page (js SessionView) through the server's routes.
    view = _function("_keeper/session.py", "view")
    (returned,) = (n.value for n in ast.walk(view) if isinstance(n, ast.Return))
    assert isinstance(returned, ast.Dict)
    keys = {k.value for k in returned.keys if isinstance(k, ast.Constant)}
    missing = set(fields(declaration("SessionView"))) - keys
    assert not missing, f"js SessionView reads fields the keeper's view does not have: {missing}"
