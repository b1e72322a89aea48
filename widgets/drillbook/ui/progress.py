"""A learner's run, kept on disk: saved after every event, offered back as *Resume*, and every
event logged with who made it and why (the decision log the class pulse and postmortem read).

The replay app hands its state and events here and shows what comes back; which runs are
remembered (on a shared Voila server only named learners'), whose events are logged (anyone
who gave a name or a group; never the instructor's own page showing the class pulse), when the
database is opened (on first use, so a learner who never names themselves nor takes notes
creates no file) and what a broken database does (one message, then the replay goes on without
saving) are decided in this module.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TypeVar

from .. import postmortem
from ..engine import Engine, ReplayState
from ..errors import DrillbookError
from ..model import Scenario
from ..report import DamageReport
from ..runlog import RunLog
from ..store import Learner, Note, Store, default_path
from ._guard import friendly

log = logging.getLogger("drillbook.ui")
T = TypeVar("T")


class RunKeeper:
    """Saves one learner's run of one scenario, logs its events and finds the run to resume."""

    def __init__(self, scenario_id: str, store: Store | None, *, group: str, learner: str,
                 remember_anonymous: bool, warn: Callable[[str], None], log_events: bool = True) -> None:
        """``remember_anonymous``: keep runs of learners who gave no name (a private
        notebook); ``warn(text)`` shows a status message in the app; ``log_events=False``
        keeps this page's choices out of the class's counts (the instructor's own page)."""
        self.scenario_id = scenario_id
        self._store = store
        self._remember_anonymous = remember_anonymous
        self._warn = warn
        self._broken = False
        self._log_events = log_events
        self.log = RunLog(scenario_id, Learner(group, learner), lambda: self.store)
        self.set_identity(group, learner)

    @property
    def group(self) -> str:
        return self.log.who.group

    @property
    def learner(self) -> str:
        return self.log.who.name

    @property
    def store(self) -> Store:
        """The notes/progress database, opened on first use."""
        if self._store is None:
            self._store = Store()
        return self._store

    @property
    def opened_store(self) -> Store | None:
        """The database if it is already open (the notes panel opens it only when needed)."""
        return self._store

    @property
    def saving(self) -> bool:
        """False once the database failed: the replay goes on without saving."""
        return not self._broken

    def set_identity(self, group: str, learner: str) -> None:
        """Whose run this is; names are kept without surrounding spaces, however they arrive
        (the constructor, a warm page learning its request, the notes panel's fields)."""
        self.log.identify(group.strip(), learner.strip())

    @property
    def remembered(self) -> bool:
        return self._remember_anonymous or bool(self.learner)

    @property
    def logged(self) -> bool:
        """Whether this learner's events go to the store: in a private notebook always; on a
        shared server once there is a name or a group (someone to count them for)."""
        return self._log_events and (self.remembered or bool(self.group))

    def _safely(self, write: Callable[[], T], default: T) -> T:
        """Run a store access; a failure is reported once, then nothing more is attempted."""
        if self._broken:
            return default
        try:
            return write()
        except DrillbookError as exc:
            self._broken = True
            log.warning("progress not saved: %s", exc)
            self._warn(f"Your progress cannot be saved: {friendly(exc)} The replay goes on without saving.")
            return default

    def save(self, state: ReplayState) -> None:
        """Keep the run on disk, so a closed tab or a culled kernel loses nothing."""
        if not state.path_code or not self.remembered:
            return
        self._safely(lambda: self.store.save_progress(
            self.scenario_id, state.path_code, finished=state.finished, total_minutes=state.elapsed_minutes,
            group=self.group, learner=self.learner), None)

    # -- the decision log ------------------------------------------------------------------
    @property
    def reasons(self) -> tuple[str, ...]:
        """This run's reasoning, one line per choice (kept in memory even when not saved)."""
        return tuple(self.log.reasons)

    def record(self, engine: Engine, kind: str, round_id: str, value: str, *, reasoning: str = "",
               replayed: bool = False) -> None:
        """Log an event the engine has just applied."""
        if not self.logged or self._broken:  # in memory only: the report and postmortem still have it
            self.log.record(engine, kind, round_id, value, reasoning=reasoning, replayed=replayed, save=False)
            return
        self._safely(lambda: self.log.record(engine, kind, round_id, value, reasoning=reasoning,
                                             replayed=replayed), None)

    def replayed(self, engine: Engine) -> None:
        """The engine re-took a path (restart, replay code, resume): a new run, whose re-taken
        events are logged as replayed, so the class counts only clicks."""
        self.log.new_run()
        for step in engine.steps:
            self.record(engine, "choice", step.round_id, step.key, replayed=True)
        last = engine.scenario.rounds[-1].id
        for action in engine.state.completed_actions:
            self.record(engine, "action", last, action, replayed=True)

    def explain_last(self, text: str) -> str:
        """Attach one line of reasoning to the last choice."""
        line = self.log.explain_last(text, save=False)  # refuses when there is no choice yet
        if self.logged and not self._broken:
            self._safely(lambda: self.log.explain_last(text), "")
        return line

    # -- resume and postmortem -------------------------------------------------------------
    def unfinished_run(self) -> str:
        """The path code of this learner's saved, unfinished run ("" if there is none)."""
        if not self.remembered or (not default_path().exists() and self._store is None):
            return ""
        progress = self._safely(
            lambda: self.store.progress(self.scenario_id, group=self.group, learner=self.learner), None)
        if progress is None or progress.finished:
            return ""
        return progress.path_code

    def postmortem(self, scenario: Scenario, report: DamageReport) -> str:
        """This run's postmortem in Markdown, with the group's notes if the database has any."""
        notes: list[Note] = []
        if self._store is not None or default_path().exists():
            notes = self._safely(lambda: self.store.notes(scenario.id, group=self.group), [])
        return postmortem.render(report, scenario=scenario, learner=self.learner, group=self.group,
                                 date=dt.datetime.now(dt.timezone.utc).date(), reasons=self.reasons, notes=notes)
