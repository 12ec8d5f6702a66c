"""Charts for the dashboards, drawn on the server (HTML and SVG: no script, no chart library,
nothing the Content-Security-Policy refuses) and readable without colour: every bar carries its
number. A hidden count (publication mode, "<5") draws no bar and shows its mark."""

from __future__ import annotations

from dataclasses import dataclass

SMALL = 5  # counts from 1 to SMALL - 1 are hidden where small counts must be (publication)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str  # what is written: the number, or the mark that hides it
    percent: float  # the bar's length against the longest (0 for a hidden count)
    hidden: bool = False


def shown(value: int, *, publication: bool) -> tuple[str, bool]:
    """The text of a count, and whether it is hidden (1–4 in publication mode)."""
    if publication and 0 < value < SMALL:
        return "<5", True
    return f"{value:,}".replace(",", "."), False


def bars(rows: list[tuple[str, int]], *, publication: bool = False) -> list[Bar]:
    """Bars for ``(label, count)`` rows, scaled to the largest count that may be shown."""
    texts = [shown(value, publication=publication) for _label, value in rows]
    largest = max(
        (value for (_l, value), (_t, hidden) in zip(rows, texts, strict=True) if not hidden), default=0
    )
    return [
        Bar(label, value, text, 0.0 if hidden or not largest else round(100 * value / largest, 1), hidden)
        for (label, value), (text, hidden) in zip(rows, texts, strict=True)
    ]


@dataclass(frozen=True)
class Change:
    """A key figure against the same moment a year before."""

    label: str
    now: str
    before: str
    delta: str  # "+12", "-3", "" when either side is hidden
    direction: str  # "up", "down", "same", ""


def change(label: str, now: int, before: int, *, publication: bool = False) -> Change:
    now_text, now_hidden = shown(now, publication=publication)
    before_text, before_hidden = shown(before, publication=publication)
    if now_hidden or before_hidden:
        return Change(label, now_text, before_text, "", "")
    delta = now - before
    direction = "up" if delta > 0 else "down" if delta < 0 else "same"
    sign = "+" if delta > 0 else "\u2212" if delta < 0 else "\u00b1"  # minus sign, plus-minus
    return Change(label, now_text, before_text, f"{sign}{abs(delta):,}".replace(",", "."), direction)
