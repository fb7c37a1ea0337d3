"""Reads the widget's TypeScript declarations for the contract tests (test_contract_*.py): enough of
TypeScript's type grammar for js/'s message, trait and code declarations, wherever under js/ they
live (found by name, so a file moved to a sub-folder is still found)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ipython_oidc_client"

#: Names in a Python annotation and what TypeScript calls them.
_PY_NAMES = {"str": "string", "float": "number", "int": "number", "bool": "boolean", "ProviderCode": "string"}


@cache
def sources() -> dict[Path, str]:
    """The widget's own TypeScript (not its tests), comments removed."""
    found = {
        path: strip_comments(path.read_text())
        for path in sorted((ROOT / "js").glob("**/*.ts"))
        if "tests" not in path.relative_to(ROOT / "js").parts and not path.name.endswith(".test.ts")
    }
    assert found, "no TypeScript under js/"
    return found


def strip_comments(src: str) -> str:
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    return re.sub(r"(?m)(?:^|\s)//.*$", "", src)


def _until(src: str, start: int, stop: str) -> int:
    """The index of the first ``stop`` character at bracket depth 0 from ``start`` (strings skipped)."""
    depth, i = 0, start
    while i < len(src):
        ch = src[i]
        if ch in "\"'`":
            i = src.index(ch, i + 1)
        elif ch in "{([<":
            depth += 1
        elif ch in "})]>":
            if depth == 0 and ch in stop:
                return i
            depth -= 1
        elif depth == 0 and ch in stop:
            return i
        i += 1
    return i


def split_top(text: str, sep: str) -> list[str]:
    parts, start = [], 0
    while start <= len(text):
        end = _until(text, start, sep)
        parts.append(text[start:end].strip())
        start = end + 1
    return [p for p in parts if p]


@cache
def declaration(name: str) -> str:
    """The body of ``export type <name> = …;`` or ``export interface <name> { … }``, in whichever file
    under js/ declares it (exactly one)."""
    found = []
    for src in sources().values():
        for match in re.finditer(rf"export (type|interface) {name}\b\s*(=|\{{)", src):
            start = match.end()
            end = _until(src, start, ";" if match.group(2) == "=" else "}")
            found.append(src[start:end])
    assert len(found) == 1, f"{len(found)} declarations of {name} under js/ (expected one)"
    return found[0]


def atoms(type_text: str) -> frozenset[str]:
    """A TypeScript type as the set of its union's members: literals (quoted), names, primitives."""
    return frozenset(re.sub(r"\s+", " ", a) for a in split_top(type_text, "|"))


def fields(body: str) -> dict[str, tuple[bool, frozenset[str]]]:
    """An object type's or interface's members: name -> (optional, the type's atoms). Index
    signatures (``[key: string]: unknown``) are left out."""
    out = {}
    for member in split_top(body.strip().strip("{}"), ";,"):
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(\??)\s*:\s*(.+)", member, re.S)
        if match:
            out[match.group(1)] = (match.group(2) == "?", atoms(match.group(3)))
    return out


def literals(name: str) -> frozenset[str]:
    """The string literals of a union of literals, such as Status or ErrorCode."""
    members = atoms(declaration(name))
    assert all(m.startswith('"') for m in members), f"{name} is not a union of string literals: {members}"
    return frozenset(m.strip('"') for m in members)


def messages(name: str) -> dict[str, dict[str, tuple[bool, frozenset[str]]]]:
    """The declared union ``name`` of ``{ type: "x"; … }`` objects (PageMessage, KernelMessage)."""
    return union_messages(declaration(name), name)


def union_messages(union: str, name: str = "") -> dict[str, dict[str, tuple[bool, frozenset[str]]]]:
    """A union of ``{ type: "x"; … }`` objects: its members by ``type``, each with its other fields."""
    out = {}
    for member in atoms(union):
        members = fields(member)
        optional, (tag,) = members.pop("type")
        assert not optional and tag.startswith('"'), f"{name}: a member without a literal type: {member}"
        assert tag.strip('"') not in out, f"{name}: two members of type {tag}"
        out[tag.strip('"')] = members
    return out


def py_atoms(annotation: object) -> frozenset[str]:
    """A Python annotation (a string under ``from __future__ import annotations``) as TypeScript's
    atoms: ``Literal["a", "b"]`` -> {'"a"', '"b"'}, ``float | None`` -> {number, null}."""
    text = str(getattr(annotation, "__forward_arg__", annotation))

    def walk(node: ast.expr) -> set[str]:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return walk(node.left) | walk(node.right)
        if isinstance(node, ast.Constant) and node.value is None:
            return {"null"}
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            if node.value.id == "Literal":
                elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                return {f'"{e.value}"' for e in elts if isinstance(e, ast.Constant)}
        if isinstance(node, ast.Name):
            return {_PY_NAMES.get(node.id, node.id)}
        raise AssertionError(f"no TypeScript counterpart for the annotation {text!r}")

    return frozenset(walk(ast.parse(text, mode="eval").body))


def typed_dict_fields(cls: type) -> dict[str, tuple[bool, frozenset[str]]]:
    """A TypedDict's fields as ``fields`` gives a TypeScript object's."""
    optional = getattr(cls, "__optional_keys__", frozenset())
    return {name: (name in optional, py_atoms(hint)) for name, hint in cls.__annotations__.items()}


def package_trees() -> dict[Path, ast.Module]:
    """Every module of the package, sub-packages included."""
    return {path: ast.parse(path.read_text()) for path in sorted(PACKAGE.rglob("*.py"))}
