"""The host's timeline: engine state in, simulated host out (pure: no widgets, no I/O).

Data flows one way, engine -> host: this module reads a replay's steps (each carries its
effects and whether it moved on) and never climbs back to the scenario's rounds or into the
engine's rules. The host at any point of a replay is rebuilt from scratch: the scenario's
starting host boots ``uptime_minutes`` before the alert, its ``history`` happens at
``at_minutes``, then the effects of the steps that moved the story on happen when they ended.
Rebuilding (rather than mutating one host) is what makes "a retry rewinds the host, not the
clock" true.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import TYPE_CHECKING

from ..errors import DrillbookError
from . import kernel
from .model import HostState
from .shell import Shell

if TYPE_CHECKING:
    from ..engine import Engine, Outcome, Step


def _jitter(label: str) -> float:
    """A stable sub-second offset so log stamps look like a real machine's, run after run."""
    return (zlib.crc32(label.encode()) % 900_000 + 50_000) / 1_000_000


def _alert_uptime(state: HostState) -> float:
    return state.uptime_minutes * 60.0


def _boot(engine: "Engine") -> HostState:
    template = engine.scenario.host
    if template is None:
        raise DrillbookError(f"scenario '{engine.scenario.id}' has no host: section, so it has no console")
    state = template.copy()
    alert = engine.scenario.clock.start
    booted = alert - dt.timedelta(seconds=_alert_uptime(state))
    kernel.boot(state, booted, uptime_s=0.0)
    for event in sorted(state.history, key=lambda e: e.at_minutes):
        at = _alert_uptime(state) + event.at_minutes * 60 + _jitter(event.note)
        kernel.apply(state, dict(event.effects), at=at)
    return state


def _effect_time(state: HostState, step: "Step", alert: dt.datetime) -> float:
    """Choice effects land during the choice's last minute (never before it started), in
    seconds of the current boot (an earlier effect may have rebooted the host)."""
    assert state.kernel is not None
    end = (alert - state.kernel.booted).total_seconds() + step.elapsed_after * 60
    start = end - step.minutes * 60
    return max(start, end - 60) + _jitter(f"{step.round_id}/{step.key}")


def _build(engine: "Engine", steps: tuple["Step", ...], extra: "Step | None", now: dt.datetime) -> HostState:
    state = _boot(engine)
    alert = engine.scenario.clock.start
    for step in steps:
        if step.moved_on and step.effects:
            kernel.apply(state, dict(step.effects), at=_effect_time(state, step, alert))
    if extra is not None and extra.effects:
        kernel.apply(state, dict(extra.effects), at=_effect_time(state, extra, alert))
    assert state.kernel is not None
    target = (now - state.kernel.booted).total_seconds()
    kernel.advance(state, target - state.kernel.uptime_s)
    return state


def host_for(engine: "Engine") -> HostState:
    """The host as it is now in this replay: scenario host + history + the effects of the steps
    that moved on, with the simulated clock at ``engine.now``."""
    return _build(engine, engine.steps, None, engine.now)


def shell_for(engine: "Engine") -> Shell:
    """A console shell on :func:`host_for`."""
    return Shell(host_for(engine))


def reveal(engine: "Engine", outcome: "Outcome") -> list[tuple[str, str]]:
    """``(command, output)`` for each of ``outcome.choice.reveals``, run in order on the host as
    it was right after that choice: the host before it plus its own effects (even when the
    choice kept the learner in the round)."""
    state = host_after(engine, outcome)
    if state is None:
        return []
    shell = Shell(state)
    return [(command, shell.run(command).output) for command in outcome.choice.reveals]


def host_after(engine: "Engine", outcome: "Outcome") -> HostState | None:
    """The host right after ``outcome``'s choice (None if this engine never took it)."""
    steps = engine.steps
    index = next((i for i in range(len(steps) - 1, -1, -1)
                  if steps[i].round_id == outcome.round.id and steps[i].key == outcome.choice.key), None)
    if index is None:
        return None
    return _build(engine, steps[:index], steps[index], outcome.now)
