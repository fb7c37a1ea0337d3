"""Figures and the Markdown table: each figure is the median of its runs, with min–max and n, its
target, and whether the median meets it."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Row:
    figure: str
    measured: str
    target: str = ""
    met: bool | None = None  # None: no target, or not measurable in this run
    how: str = ""  # one line on what exactly was measured


def spread(values: Sequence[float], fmt: Callable[[float], str]) -> str:
    """``median (min–max, n=…)``."""
    if not values:
        return "no samples"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{fmt(med)} (n=1)"
    return f"{fmt(med)} ({fmt(min(values))}–{fmt(max(values))}, n={len(values)})"


def seconds(v: float) -> str:
    return f"{v:.3f} s"


def ms(v: float) -> str:
    return f"{v * 1000:.0f} ms"


def ratio(v: float) -> str:
    return f"{v:.2f}×"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def timed_row(
    figure: str, values: Sequence[float], limit: float | None, how: str, fmt: Callable[[float], str] = seconds
) -> Row:
    """A duration, met when its median is at most ``limit`` seconds."""
    target = f"≤ {fmt(limit)}" if limit is not None else ""
    met = (median(values) <= limit) if (limit is not None and values) else None
    return Row(figure, spread(values, fmt), target, met, how)


@dataclass
class Report:
    machine: list[tuple[str, str]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    # Extra tables (title, header, rows), e.g. where the time of a sign-in goes.
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        out = ["# ipython-oidc-client benchmarks", "", "| machine | |", "|---|---|"]
        out += [f"| {k} | {_cell(v)} |" for k, v in self.machine]
        out += ["", "| figure | measured: median (min–max, n) | target | met |", "|---|---|---|---|"]
        for r in self.rows:
            met = "—" if r.met is None else ("yes" if r.met else "**no**")
            out.append(f"| {_cell(r.figure)} | {_cell(r.measured)} | {_cell(r.target)} | {met} |")
        for title, header, rows in self.tables:
            out += ["", f"**{title}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
        out += ["", "What each figure measures:", ""]
        out += [f"- **{r.figure}**: {r.how}" for r in self.rows if r.how]
        if self.notes:
            out += ["", "Notes:", ""] + [f"- {n}" for n in self.notes]
        if self.failures:
            out += ["", "**The harness broke** (figures above are missing for these):", ""]
            out += [f"- {f}" for f in self.failures]
        return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
