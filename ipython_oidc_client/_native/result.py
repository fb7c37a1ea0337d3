"""``NativeSignIn``, what ``authenticate()`` returned without a notebook frontend before every
sign-in became one ``SignIn`` (_signin.py): kept as another name for it, for code that names it."""

from __future__ import annotations

from .._signin import SignIn as NativeSignIn

__all__ = ["NativeSignIn"]
