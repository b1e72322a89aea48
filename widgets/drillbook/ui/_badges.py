"""Verdict badges and durations, written the same way in every view."""

from __future__ import annotations

from ._html import esc

#: A symbol per verdict so the badge never relies on colour alone.
VERDICT_MARKS: dict[str, str] = {
    "recommended": "✓",
    "partial": "◐",
    "band-aid": "⚠",
    "overkill": "⏱",
    "harmful": "✗",
    "wasted": "∅",
}


def badge(verdict: str, label: str) -> str:
    """The verdict as a text badge (symbol + words), coloured by CSS class."""
    mark = VERDICT_MARKS.get(verdict, "•")
    return (
        f'<span class="db-verdict db-verdict-{esc(verdict)}">'
        f'<span aria-hidden="true">{mark}</span> {esc(label)}</span>'
    )


def minutes(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"
