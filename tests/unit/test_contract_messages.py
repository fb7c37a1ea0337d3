"""One protocol between page and kernel: the TypeScript declarations (js/**/messages.ts, found by
name) and ipython_oidc_client/_protocol.py name the same messages, with the same fields, the same
literal values and the same statuses; every message the page can send has a handler in the kernel,
every message the kernel can send is handled by the page, and every message the package sends
anywhere is one of them. Reads the TypeScript source, so a change on one side only fails here."""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any, get_args

import IPython.display
import pytest
from ts_source import (
    declaration,
    fields,
    literals,
    messages,
    package_trees,
    sources,
    typed_dict_fields,
    union_messages,
)

from ipython_oidc_client import _protocol, authenticate
from ipython_oidc_client._protocol import KERNEL_MESSAGES, PAGE_MESSAGES, STATUSES, Verification, tag


def _python_messages(union: Any) -> dict[str, dict[str, tuple[bool, frozenset[str]]]]:
    out = {}
    for cls in get_args(union):
        members = typed_dict_fields(cls)
        del members["type"]
        out[tag(cls)] = members
    return out


def test_page_messages_are_the_same_on_both_sides() -> None:
    assert set(messages("PageMessage")) == PAGE_MESSAGES


def test_kernel_messages_are_the_same_on_both_sides() -> None:
    assert set(messages("KernelMessage")) == KERNEL_MESSAGES


@pytest.mark.parametrize("union", ["PageMessage", "KernelMessage"])
def test_each_message_has_the_same_fields_and_values_on_both_sides(union: str) -> None:
    # Field names, whether each is optional, and each field's type down to its literal values
    # ("keeper" | "page"); a named type (Status, Verification, ErrorCode) is compared on its own below.
    assert messages(union) == _python_messages(getattr(_protocol, union))


def test_statuses_are_the_same_on_both_sides() -> None:
    assert literals("Status") == STATUSES


def test_the_device_links_fields_are_the_same_on_both_sides() -> None:
    # What the widget makes a link of, and says beside it (RFC 8628 §3.3): one shape on each side.
    assert fields(declaration("Verification")) == typed_dict_fields(Verification)


def test_message_names_and_literals_may_have_digits() -> None:
    # The old pattern ([a-z_]+) could not see a name with a digit: a message "v2" added on one side
    # only went unnoticed. The parser takes any identifier.
    assert union_messages('| { type: "v2" } | { type: "x"; via: "a" | "b2"; n?: number }') == {
        "v2": {},
        "x": {"via": (False, frozenset({'"a"', '"b2"'})), "n": (True, frozenset({"number"}))},
    }


def _kernel_handled() -> set[str]:
    """The kernel messages the page's code tells apart: ``<msg>.type === "x"`` (or ``!==``, to return
    early on any other), or ``case "x":`` in a ``switch (<msg>.type)``."""
    found: set[str] = set()
    for src in sources().values():
        found |= set(re.findall(r'\.type\s*[!=]==\s*"([A-Za-z0-9_]+)"', src))
        for switch in re.finditer(r"switch\s*\([\w?.]*\.type\)\s*\{", src):
            found |= set(re.findall(r'case\s+"([A-Za-z0-9_]+)"\s*:', src[switch.end() : switch.end() + 4000]))
    return found


def test_the_page_handles_every_kernel_message() -> None:
    missing = KERNEL_MESSAGES - _kernel_handled()
    assert not missing, f"nothing in js/ handles these kernel messages: {missing}"


def _sent(tree: ast.Module) -> list[tuple[int, object]]:
    """Each ``<x>.send(m)``'s message: its ``type`` literal where ``m`` is a dict, or a name whose
    annotation is one of _protocol's message TypedDicts."""
    annotated = {
        node.target.id: ast.unparse(node.annotation)
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    out: list[tuple[int, object]] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "send"
        ):
            continue
        if not node.args:
            continue
        arg = node.args[0]
        if isinstance(arg, ast.Dict):
            keys = {k.value: v for k, v in zip(arg.keys, arg.values) if isinstance(k, ast.Constant)}
            if "type" in keys:
                value = keys["type"]
                out.append(
                    (node.lineno, value.value if isinstance(value, ast.Constant) else ast.unparse(value))
                )
        elif isinstance(arg, ast.Name) and annotated.get(arg.id, "").endswith("Message"):
            out.append((node.lineno, tag(getattr(_protocol, annotated[arg.id]))))
    return out


def test_every_message_the_kernel_sends_is_declared_for_the_page() -> None:
    # All of the package, sub-packages included: a send( anywhere is a message the page must know.
    sent = {
        f"{path.name}:{line}": kind for path, tree in package_trees().items() for line, kind in _sent(tree)
    }
    assert sent, "found no widget.send( at all: the walk is broken"
    wrong = {where: kind for where, kind in sent.items() if kind not in KERNEL_MESSAGES}
    assert not wrong, f"sends of messages js/shared/messages.ts KernelMessage does not declare: {wrong}"


@pytest.fixture
def signin(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: None)
    return authenticate({"authority": "https://idp.example", "client_id": "nb"})


def test_every_page_message_has_a_kernel_handler(signin: Any) -> None:
    assert set(signin._page.handlers) == PAGE_MESSAGES


def test_each_handler_that_reads_its_message_takes_the_messages_typeddict(signin: Any) -> None:
    # So that mypy holds what a handler reads to what the page sends. A handler that ignores its
    # message (``_content``, a lambda's ``_``) reads nothing.
    for cls in get_args(_protocol.PageMessage):
        handler = signin._page.handlers[tag(cls)]
        ((name, parameter),) = inspect.signature(handler).parameters.items()
        if not name.startswith("_"):
            assert parameter.annotation == cls.__name__, (tag(cls), name, parameter.annotation)
