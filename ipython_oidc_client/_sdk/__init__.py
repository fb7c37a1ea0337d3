"""Adapters that hand a ``Token``'s current access token to SDKs in the shape each wants (docs/sdks.md).

Each module imports its SDK at its top; the Token's methods import the module only when called, so
that ``import ipython_oidc_client`` imports no SDK (they are optional extras)."""

from __future__ import annotations


def missing(package: str, extra: str, method: str) -> ImportError:
    """The error of a method whose SDK is not installed: which package, and how to get it."""
    return ImportError(
        f"token.{method} needs {package}, which is not installed: "
        f"pip install 'ipython-oidc-client[{extra}]' (or pip install {package})."
    )
