"""A learner's run, kept on disk: saved after every event, offered back as *Resume*.

The replay app hands its state here and shows what comes back; which runs are remembered (on
a shared Voila server only named learners'), when the database is opened (on first use, so a
learner who never names themselves nor takes notes creates no file) and what a broken
database does (one message, then the replay goes on without it) are decided in this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..engine import ReplayState
from ..errors import DrillbookError
from ..store import Store, default_path
from ._guard import friendly

log = logging.getLogger("drillbook.ui")


class RunKeeper:
    """Saves one learner's run of one scenario and finds the run to resume."""

    def __init__(self, scenario_id: str, store: Store | None, *, group: str, learner: str,
                 remember_anonymous: bool, warn: Callable[[str], None]) -> None:
        """``remember_anonymous``: keep runs of learners who gave no name (a private
        notebook); ``warn(text)`` shows a status message in the app."""
        self.scenario_id = scenario_id
        self._store = store
        self.group, self.learner = group.strip(), learner.strip()
        self._remember_anonymous = remember_anonymous
        self._warn = warn
        self._broken = False

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

    def set_identity(self, group: str, learner: str) -> None:
        self.group, self.learner = group, learner

    @property
    def remembered(self) -> bool:
        return self._remember_anonymous or bool(self.learner)

    def save(self, state: ReplayState) -> None:
        """Keep the run on disk, so a closed tab or a culled kernel loses nothing; a broken
        database is reported once and the replay goes on without it."""
        if not state.path_code or self._broken or not self.remembered:
            return
        try:
            self.store.save_progress(self.scenario_id, state.path_code, finished=state.finished,
                                     total_minutes=state.elapsed_minutes, group=self.group, learner=self.learner)
        except DrillbookError as exc:
            self._broken = True
            log.warning("progress not saved: %s", exc)
            self._warn(f"Your progress cannot be saved: {friendly(exc)}")

    def unfinished_run(self) -> str:
        """The path code of this learner's saved, unfinished run ("" if there is none)."""
        if not self.remembered or (not default_path().exists() and self._store is None):
            return ""
        progress = self.store.progress(self.scenario_id, group=self.group, learner=self.learner)
        if progress is None or progress.finished:
            return ""
        return progress.path_code
