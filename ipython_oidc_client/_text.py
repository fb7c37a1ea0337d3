"""Text a provider (or a cell) wrote, made fit to show a person or a kernel: cut to a length and cleaned of
control and formatting characters (a bidi override such as U+202E can make ``evil.example/moc.`` read
as something else; a newline can forge a line of a log or a terminal)."""

from __future__ import annotations

#: The longest provider text shown (an error description, a name, an issuer in a message).
LIMIT = 200


def shown(value: object, limit: int = LIMIT) -> str:
    """Printable characters of ``value`` only (Unicode categories C and Z other than the space are
    dropped: controls, formats such as the bidi overrides, separators), cut to ``limit`` with "…"."""
    text = value if isinstance(value, str) else str(value)
    kept = "".join(c for c in text[: limit * 4] if c.isprintable())
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


def quoted(value: object) -> str:
    """A value of someone else's quoted in a message: its repr (printable by construction), cut."""
    return shown(repr(value))
