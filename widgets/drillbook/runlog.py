"""The decision log of one learner in one kernel: every event of the current run, with the
learner's one line of reasoning per choice, kept in memory and written to the store as it
happens (the class pulse reads it live, the postmortem export later).

The replay calls :meth:`RunLog.record` after each engine event; whether to save (and what a
failing store does) is the caller's decision: with ``save=False`` the log is kept in memory only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

from .engine import Engine
from .errors import DrillbookError
from .store import MAX_REASONING, Learner, ReplayEvent, Store


def one_line(text: str) -> str:
    """A reasoning line as stored: whitespace collapsed, at most :data:`MAX_REASONING` characters."""
    return " ".join(str(text).replace("\x00", "").split())[:MAX_REASONING]


class RunLog:
    def __init__(self, scenario_id: str, who: Learner, open_store: Callable[[], Store]) -> None:
        self.scenario_id = scenario_id
        self.who = who
        self._open_store = open_store
        self.new_run()

    def new_run(self) -> None:
        """A restart, a replay code or a resume: what follows is another play-through."""
        self.run = uuid.uuid4().hex
        self.reasons: list[str] = []  #: one per choice of this run, as the engine's steps
        self._ids: list[int] = []  #: store ids of those choices (0 where not saved)

    def identify(self, group: str, name: str) -> None:
        self.who = replace(self.who, group=group, name=name)

    def record(self, engine: Engine, kind: str, round_id: str, value: str, *, replayed: bool = False,
               reasoning: str = "", save: bool = True) -> None:
        """Log one event that ``engine`` has just applied. Raises ``StoreError`` if it could
        not be saved; the in-memory log is complete either way."""
        reasoning = one_line(reasoning) if kind == "choice" else ""
        if kind == "choice":
            self.reasons.append(reasoning)
            self._ids.append(0)
        if not save:
            return
        state = engine.state
        event = ReplayEvent(run=self.run, kind=kind, round_id=round_id, value=value,
                            at_round=state.round.id if state.round is not None else "",
                            elapsed_minutes=state.elapsed_minutes, downtime_minutes=state.downtime_minutes,
                            sla_breached=state.sla_breached, replayed=replayed, reasoning=reasoning)
        event_id = self._open_store().record_event(self.scenario_id, self.who, event)
        if kind == "choice":
            self._ids[-1] = event_id

    def explain_last(self, text: str, *, save: bool = True) -> str:
        """Attach one line of reasoning to the last choice ("why I picked B", written after)."""
        if not self.reasons:
            raise DrillbookError("make a choice first, then say why you picked it")
        self.reasons[-1] = line = one_line(text)
        if save and self._ids[-1]:
            self._open_store().set_reasoning(self._ids[-1], line)
        return line
