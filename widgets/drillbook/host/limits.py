"""What one submission to the practice console may cost, and the budget that enforces it.

The limits live here, with the shell, so every front end (the notebook widget, the Voila app, a
command-line console) gets the same ones. A :class:`Budget` is started for each submission and
passed through every line, pipeline and command of it: commands ask it *before* they spend
simulated time or build output, so a hostile line is stopped early instead of measured late.
When a limit stops a line, :class:`LimitReached` carries the message that names it (the wording
is in ``templates/limits.txt``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._templates import message


@dataclass(frozen=True)
class Limits:
    """The allowance of one submission (what the learner typed or pasted, then Enter)."""

    #: characters interpreted at all (a pasted megabyte is refused, not parsed)
    input_chars: int = 10_000
    #: physical lines of one paste that are run
    lines: int = 20
    #: commands (pipeline stages included) over the whole submission
    commands: int = 20
    #: characters of output built, pipeline intermediates included (below the widget's display cut,
    #: so the limit's message is always seen)
    output_chars: int = 40_000
    #: simulated minutes one submission may charge to the incident clock (at least one command's cost)
    minutes: int = 30
    #: wall-clock milliseconds all grep matching of one submission may take
    grep_ms: int = 250
    #: commands remembered by ``history`` (bash's default HISTSIZE)
    history: int = 500


DEFAULT_LIMITS = Limits()


def limit_message(key: str, limit: int) -> str:
    """The learner-facing line for a limit (``input``, ``lines``, ``commands``, ...)."""
    return message("limits", key, limit=limit)


class LimitReached(Exception):
    """A limit stopped the submission; ``message`` names the limit for the learner."""

    def __init__(self, key: str, limit: int) -> None:
        self.key = key
        self.message = limit_message(key, limit)
        super().__init__(self.message)


class Budget:
    """What is left of one submission's allowance; shared by all its lines and commands."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS, *, base_minutes: int = 1) -> None:
        self.limits = limits
        #: a line that runs any command costs at least this (the scenario's console_minutes)
        self.base_minutes = base_minutes
        self.max_minutes = max(limits.minutes, base_minutes)
        self.commands_left = limits.commands
        self.output_left = limits.output_chars
        self.grep_seconds_left = limits.grep_ms / 1000
        self.minutes_spent = 0
        self._line_seconds = 0.0
        self._line_charged = False

    # -- commands and output ------------------------------------------------------------------
    def command(self) -> None:
        """Count one command about to run."""
        if self.commands_left <= 0:
            raise LimitReached("commands", self.limits.commands)
        self.commands_left -= 1

    @property
    def room(self) -> int:
        """Characters of output that may still be built."""
        return self.output_left

    def output(self, text: str) -> str:
        """Charge ``text`` just built; raises (keeping nothing) if it does not fit."""
        if len(text) > self.output_left:
            self.output_left = 0
            raise LimitReached("output", self.limits.output_chars)
        self.output_left -= len(text)
        return text

    def grep_timeout(self) -> float:
        """Seconds the next match may take; raises once grep's share is used up."""
        if self.grep_seconds_left <= 0:
            raise LimitReached("grep_time", self.limits.grep_ms)
        return self.grep_seconds_left

    def grep_spent(self, seconds: float) -> None:
        self.grep_seconds_left -= seconds

    def grep_timed_out(self) -> LimitReached:
        self.grep_seconds_left = 0
        return LimitReached("grep_time", self.limits.grep_ms)

    # -- simulated time --------------------------------------------------------------------------
    def begin_line(self) -> None:
        self._line_seconds = 0.0
        self._line_charged = False

    def _line_minutes(self, seconds: float) -> int:
        return max(self.base_minutes, math.ceil(seconds / 60 - 1e-9))

    def charge(self) -> None:
        """A command that costs console time is about to run on this line."""
        if self._line_charged:
            return
        if self.minutes_spent + self.base_minutes > self.max_minutes:
            raise LimitReached("minutes", self.max_minutes)
        self._line_charged = True

    def spend(self, seconds: float) -> None:
        """Simulated seconds a command is about to take (asked before the host changes)."""
        self.charge()
        after = self._line_seconds + max(0.0, seconds)
        if self.minutes_spent + self._line_minutes(after) > self.max_minutes:
            raise LimitReached("minutes", self.max_minutes)
        self._line_seconds = after

    def end_line(self) -> int:
        """Minutes the finished line costs (0 if it only used free commands)."""
        minutes = self._line_minutes(self._line_seconds) if self._line_charged else 0
        self.minutes_spent += minutes
        self.begin_line()
        return minutes
