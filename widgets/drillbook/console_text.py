"""What the practice console prints around a command's output, for every console view.

The notebook widget (:mod:`drillbook.ui.console`) and the terminal (:mod:`drillbook.terminal`)
both show a shell's results; the limits and fixed messages live here once so the two cannot
drift apart.
"""

from __future__ import annotations

import datetime as dt

#: characters of one command's output shown (a pasted megabyte cannot freeze the page)
MAX_OUTPUT = 50_000
#: shown instead of a traceback when the console itself fails
FRIENDLY_ERROR = "Sorry, the console hit a problem running that; try another command."


def cost_line(minutes: int, now: dt.datetime | None) -> str:
    """``(+1 min, simulated clock 03:25 UTC)``: what a command cost on the incident clock."""
    clock = f"simulated clock {now:%H:%M} UTC" if now is not None else "simulated clock"
    spent = f"+{minutes} min" if minutes else "no time charged"
    return f"({spent}, {clock})"


def clip(output: str) -> str:
    """A command's output as the console shows it: cut after :data:`MAX_OUTPUT` characters."""
    if len(output) > MAX_OUTPUT:
        return output[:MAX_OUTPUT] + "\n… (output cut)"
    return output
