"""The incident clock: simulated wall time, minutes elapsed and the SLA budget as a bar.

The bar's colour changes as the budget runs out (the engine's one SLA rule,
:func:`drillbook.engine.sla_level`), and the text always says the same thing in words (a
breach is announced, not just painted red).
"""

from __future__ import annotations

import ipywidgets as widgets

from ..engine import ReplayState
from ._badges import minutes


def render_clock(state: ReplayState, *, announce: bool = False) -> str:
    """The clock as HTML; ``announce`` makes the SLA sentence an alert, which screen readers
    read out when it appears (the view asks for it once, when the SLA level changes)."""
    now = state.now.strftime("%A %H:%M UTC")
    down, sla = state.downtime_minutes, state.sla_minutes
    level = state.sla_level
    fill = min(100, round(100 * down / sla)) if sla else 100
    if level == "breached":
        status = f"SLA BREACHED: {minutes(down)} of downtime, {down - sla} over the {sla}-minute budget."
    else:
        status = f"Downtime {down} of {sla} minutes allowed; {minutes(sla - down)} left."
    return (
        '<div class="db-clock-row">'
        f'<span class="db-clock-now" aria-label="simulated time">{now}</span>'
        f'<span class="db-clock-elapsed">{minutes(state.elapsed_minutes)} since the alert</span>'
        "</div>"
        f'<div class="db-sla db-sla-{level}">'
        f'<div class="db-sla-bar" role="progressbar" aria-label="SLA downtime budget used" '
        f'aria-valuemin="0" aria-valuemax="{sla}" aria-valuenow="{min(down, sla)}">'
        f'<div class="db-sla-fill" style="width: {fill}%"></div></div>'
        f'<div class="db-sla-text" role="{"alert" if announce else "status"}">{status}</div>'
        "</div>"
    )


class IncidentClock(widgets.HTML):
    """The clock widget. It is re-rendered whole on every event, so a ``role="status"`` region
    would be a new element each time, and screen readers need not announce it; instead, the
    render where the SLA level changes (budget nearly used, breached) carries an alert."""

    def __init__(self) -> None:
        super().__init__()
        self.add_class("db-clock")
        self._level = "ok"

    def show(self, state: ReplayState) -> None:
        level = state.sla_level
        changed, self._level = level != self._level, level
        self.value = render_clock(state, announce=changed and level != "ok")
