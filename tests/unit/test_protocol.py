"""One protocol between page and kernel: js/messages.ts and ipython_oidc_client/_protocol.py name
the same message types, statuses and error codes, and every message the page can send has a handler
in the kernel. Reads the TypeScript source, so a message added on one side only fails here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import IPython.display
import pytest

from ipython_oidc_client import authenticate
from ipython_oidc_client._errors import AuthenticationError
from ipython_oidc_client._protocol import ERROR_CODES, KERNEL_MESSAGES, PAGE_MESSAGES, STATUSES, Verification

ROOT = Path(__file__).resolve().parents[2]
MESSAGES_TS = (ROOT / "js" / "messages.ts").read_text()


def _type_block(name: str) -> str:
    """The source of `export type <name> = …;` in js/messages.ts."""
    match = re.search(rf"export type {name} =(.*?)\n\n", MESSAGES_TS, re.S)
    assert match, f"js/messages.ts has no `export type {name}`"
    return match.group(1)


def _message_types(name: str) -> set[str]:
    return set(re.findall(r'type: "([a-z_]+)"', _type_block(name)))


def _literals(name: str) -> set[str]:
    return set(re.findall(r'"([a-z_]+)"', _type_block(name)))


def test_page_messages_are_the_same_on_both_sides() -> None:
    assert _message_types("PageMessage") == PAGE_MESSAGES


def test_kernel_messages_are_the_same_on_both_sides() -> None:
    assert _message_types("KernelMessage") == KERNEL_MESSAGES


def test_statuses_are_the_same_on_both_sides() -> None:
    assert _literals("Status") == STATUSES


def _interface_fields(name: str) -> dict[str, str]:
    """The fields of `export interface <name> { … }` in js/messages.ts, with their types."""
    match = re.search(rf"export interface {name} \{{(.*?)\n\}}", MESSAGES_TS, re.S)
    assert match, f"js/messages.ts has no `export interface {name}`"
    body = re.sub(r"/\*.*?\*/", "", match.group(1), flags=re.S)
    return dict(re.findall(r"^\s*([a-z_]+)\??: ([^;]+);", body, re.M))


def test_the_device_links_fields_are_the_same_on_both_sides() -> None:
    # What the widget makes a link of, and says beside it (RFC 8628 §3.3): one shape on each side.
    assert "verification?: Verification" in _type_block("KernelMessage")
    ts = _interface_fields("Verification")
    assert set(ts) == set(Verification.__annotations__)
    names = {"str": "string", "bool": "boolean", "None": "null", "|": "|"}
    py = {  # the annotations as written (ForwardRefs: the module has `from __future__ import annotations`)
        k: " ".join(names[w] for w in str(getattr(v, "__forward_arg__", v)).split())
        for k, v in Verification.__annotations__.items()
    }
    assert {k: v.replace(" ", "") for k, v in ts.items()} == {k: v.replace(" ", "") for k, v in py.items()}


def test_every_page_error_code_is_known_to_the_kernel() -> None:
    assert _literals("ErrorCode") <= ERROR_CODES


def test_every_error_code_is_documented_for_users() -> None:
    documented = (ROOT / "README.md").read_text() + (AuthenticationError.__doc__ or "")
    missing = {code for code in ERROR_CODES if f"`{code}`" not in documented}
    assert not missing, f"error codes missing from the README's table or AuthenticationError: {missing}"


def test_every_message_the_kernel_sends_is_declared_for_the_page() -> None:
    sent = set()
    for path in (ROOT / "ipython_oidc_client").glob("*.py"):
        sent |= set(re.findall(r'send\(\{"type": "([a-z_]+)"', path.read_text()))
    assert sent and sent <= KERNEL_MESSAGES, sent - KERNEL_MESSAGES


@pytest.fixture
def signin(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: None)
    return authenticate({"authority": "https://idp.example", "client_id": "nb"})


def test_every_page_message_has_a_kernel_handler(signin: Any) -> None:
    assert set(signin._page.handlers) == PAGE_MESSAGES
