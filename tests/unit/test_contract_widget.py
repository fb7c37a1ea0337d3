"""The widget's synced traits: ipython_oidc_client/_widget.py OidcWidget and the TypeScript interface
that mirrors them (WidgetTraits, found by name under js/) have the same names, types and literal
values, so a trait renamed, added or given another value on one side only fails here."""

from __future__ import annotations

import re

import anywidget
import traitlets
from ts_source import declaration, fields, sources

from ipython_oidc_client._widget import OidcWidget


def _is_interface(name: str) -> bool:
    return any(re.search(rf"export interface {name}\b", src) for src in sources().values())


def _ts_traits() -> dict[str, frozenset[str]]:
    """WidgetTraits' members, an object type (an interface, a Record) written as ``object``."""
    out = {}
    for name, (optional, atoms) in fields(declaration("WidgetTraits")).items():
        assert not optional, f"WidgetTraits.{name} is optional: a trait always has a value"
        out[name] = frozenset("object" if _is_interface(a) or a.startswith("Record<") else a for a in atoms)
    return out


def _py_type(trait: traitlets.TraitType) -> frozenset[str]:
    if isinstance(trait, traitlets.Enum):
        atoms = {f'"{v}"' for v in trait.values or ()}
    elif isinstance(trait, traitlets.Unicode):
        atoms = {"string"}
    elif isinstance(trait, (traitlets.Float, traitlets.Int)):
        atoms = {"number"}
    elif isinstance(trait, traitlets.Bool):
        atoms = {"boolean"}
    elif isinstance(trait, traitlets.Dict):
        atoms = {"object"}
    else:
        raise AssertionError(f"no TypeScript counterpart known for {type(trait).__name__}")
    return frozenset(atoms | ({"null"} if trait.allow_none else set()))


def _py_traits() -> dict[str, frozenset[str]]:
    """OidcWidget's own synced traits (not anywidget's and ipywidgets' own)."""
    inherited = anywidget.AnyWidget.class_traits()
    return {
        name: _py_type(trait)
        for name, trait in OidcWidget.class_traits(sync=True).items()
        if name not in inherited
    }


def test_the_traits_are_the_same_on_both_sides() -> None:
    py, ts = _py_traits(), _ts_traits()
    assert set(py) == set(ts), {"only in Python": set(py) - set(ts), "only in TypeScript": set(ts) - set(py)}
    assert py == ts


def test_no_trait_holds_a_token() -> None:
    # Synced traits are saved into the .ipynb (docs/architecture.md): none may carry a token.
    assert not {name for name in _py_traits() if "token" in name}
