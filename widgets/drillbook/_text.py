"""Showing text a user typed inside one line of our own: control characters as ``^X`` (as a
terminal echoes them), long text cut with an ellipsis. The console and the CLI share it."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: str, limit: int, *, keep: str = "") -> str:
    """``text`` on one line: ``\\n`` shown as ``^J`` (unless in ``keep``), at most ``limit``
    characters plus ``…``."""
    shown = _CONTROL.sub(lambda m: m.group() if m.group() in keep else "^" + chr((ord(m.group()) + 64) % 128), text)
    return shown if len(shown) <= limit else shown[:limit] + "…"
