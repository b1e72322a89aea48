"""The incident-replay app: every view composed around one :class:`Engine`.

The app owns the engine; views only draw engine state and report events back here, where each
event is guarded so a learner sees one friendly sentence, never a traceback. The notebook's
entry point (``app("bond-failover")``, with ``?path=`` and ``?instructor=``) is in
:mod:`.pages`; saving and resuming runs in :mod:`.progress`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from .. import postmortem
from ..engine import ConsoleCommand, Engine, Outcome
from ..model import Scenario
from ..report import damage_report
from ..store import Store
from . import _hostlink
from ._guard import guarded, message_html
from ._html import download_link, esc, rich
from ._models import close_tree, html, plain_layout
from .card import RoundCard
from .clock import IncidentClock
from .damage import DamageReportView, render_report
from .lazy import LazySection
from .notes import NotesPanel
from .pathmap import PathMap
from .progress import RunKeeper
from .pulse import ClassPulse
from .remediation import RemediationRound
from .result import ResultPanel, render_result
from .theme import style_widget

log = logging.getLogger("drillbook.ui")

Reveals = list[tuple[str, str]]


def render_setup(scenario: Scenario) -> str:
    setup = scenario.setup
    return (
        f'<h2 class="db-title">Incident replay: {esc(scenario.title)}</h2>'
        '<dl class="db-setup">'
        f"<dt>System</dt><dd>{rich(setup.system_context)}</dd>"
        f"<dt>Time</dt><dd>{rich(setup.time_of_day)}</dd>"
        f"<dt>Your role</dt><dd>{rich(setup.role)}</dd>"
        "</dl>"
    )


class ReplayApp(widgets.VBox):
    """One learner's replay of one scenario, with every view and control."""

    def __init__(self, scenario: Scenario, *, instructor: bool = False, store: Store | None = None,
                 group: str = "", learner: str = "", remember_anonymous: bool = True,
                 log_events: bool = True, pulse: bool = False) -> None:
        """``log_events=False``: this page's choices stay out of the class's decision log;
        ``pulse``: show the class pulse of ``group`` (the instructor presenting to a class)."""
        self.scenario = scenario
        self.engine = Engine(scenario)
        self.transcript: list[tuple[Outcome, Reveals]] = []
        self.remediation: RemediationRound | None = None
        self.message = html("db-message-area")
        #: why nothing is being saved, if so: stays on screen while the replay goes on
        self.store_status = html("db-store-status")
        self.clock = IncidentClock()
        self.path_map = PathMap()
        self.instructor = widgets.Checkbox(value=instructor, description="Instructor view", indent=False,
                                           tooltip="Show the verdict and why of every choice in this round")
        self.instructor.add_class("db-instructor-toggle")
        self.instructor.observe(lambda _c: self.guard(self.refresh)(), names="value")
        self.card = RoundCard(self.guard(self.choose))
        self.stage = widgets.VBox(layout=plain_layout())
        self.stage.add_class("db-stage")
        self.result = ResultPanel()
        per = scenario.host.console_minutes if scenario.host else 1
        self.investigate: LazySection[widgets.Widget] = LazySection(
            f"Investigate on the console (each command costs about {per} min)", self._build_console,
            "db-investigate", guard=self.guard)
        self.report_view = DamageReportView()
        self.reason_box = widgets.Text(description="Why?", placeholder="One line: why this action (optional)",
                                       style={"description_width": "initial"}, layout=widgets.Layout(width="60%"))
        self.reason_box.add_class("db-reason-input")
        self.explain_button = widgets.Button(description="Add to my last choice",
                                             tooltip="Save this line as the reason for the choice you just made")
        self.explain_button.on_click(lambda _b: self.guard(self.explain_last)(self.reason_box.value))
        self.reasoning = widgets.HBox([self.reason_box, self.explain_button], layout=widgets.Layout())
        self.reasoning.add_class("db-reasoning-row")
        self.restart_button = widgets.Button(description="Restart", tooltip="Start the incident again")
        self.restart_button.on_click(lambda _b: self.guard(self.restart)())
        self.round_picker = widgets.Dropdown(description="Round", options=[("Round 1", 1)], value=1,
                                             style={"description_width": "initial"})
        self.replay_round_button = widgets.Button(description="Replay from round", tooltip="Restart and re-take your path up to the chosen round")
        self.replay_round_button.on_click(lambda _b: self.guard(self.replay_from_round)(self.round_picker.value))
        self.code_box = widgets.Text(description="Replay code", placeholder="e.g. B-A-A",
                                     style={"description_width": "initial"})
        self.go_button = widgets.Button(description="Go", tooltip="Replay this code to its end")
        self.go_button.on_click(lambda _b: self.guard(self.replay_code)(self.code_box.value))
        self.resume_button = widgets.Button(description="Resume",
                                            tooltip="Continue the run you saved last time",
                                            layout=widgets.Layout(display="none"))
        self.resume_button.on_click(lambda _b: self.guard(self.resume)())
        self._resume_code = ""
        self.runs = RunKeeper(scenario.id, store, group=group, learner=learner,
                              remember_anonymous=remember_anonymous,
                              warn=self._store_trouble, log_events=log_events)
        self.notes_box: LazySection[NotesPanel] = LazySection(
            "Study notes for this round (saved for your group)", self._build_notes, "db-notes-box", guard=self.guard)
        self._notes_round = scenario.first_round.id
        self.pulse = ClassPulse(scenario, self.runs.group, lambda: self.engine.current_round) if pulse else None
        controls = widgets.HBox([self.resume_button, self.restart_button, self.round_picker,
                                 self.replay_round_button, self.code_box, self.go_button], layout=plain_layout())
        controls.add_class("db-controls")
        top = widgets.HBox([self.path_map, self.instructor], layout=plain_layout())
        top.add_class("db-top")
        super().__init__([style_widget(), html("db-header", render_setup(scenario)),
                          *([self.pulse] if self.pulse is not None else []), self.clock, top,
                          self.store_status, self.message, self.result, self.stage, self.reasoning, self.investigate, self.report_view,
                          controls,
                          self.notes_box])
        self.add_class("db-root")
        self.add_class("db-replay")
        self.refresh()

    def __repr__(self) -> str:
        """A short state summary: the notebook's text/plain output, so nbval compares the replay's
        state instead of the whole widget tree (and its stylesheet)."""
        st = self.engine.state
        where = f"round {st.round.number} of {len(self.scenario.rounds)}" if st.round else "finished"
        sla = "SLA breached" if st.sla_breached else "SLA met"
        return (f"ReplayApp({self.scenario.id!r}: {where}, path {st.path_code!r}, {st.elapsed_minutes} min, "
                f"downtime {st.downtime_minutes} of {st.sla_minutes} min, {sla})")

    # -- plumbing --------------------------------------------------------------------------
    def guard(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` as a widget callback: errors become a message in the app, never a traceback."""
        return guarded(self.show_message)(fn)

    def show_message(self, text: str, kind: str = "error") -> None:
        self.message.value = message_html(text, kind) if text else ""

    def _store_trouble(self, text: str) -> None:
        self.store_status.value = message_html(text, "status")

    def _reveal(self, outcome: Outcome) -> Reveals:
        try:
            return _hostlink.reveal(self.engine, outcome)
        except Exception:  # noqa: BLE001 - the result still shows without its console output
            log.exception("could not render the output of %s", outcome.choice.reveals)
            return [(cmd, "(output unavailable)") for cmd in outcome.choice.reveals]

    def _take(self, key: str) -> Outcome:
        outcome = self.engine.choose(key)
        self.transcript.append((outcome, self._reveal(outcome)))
        return outcome

    def _replayed(self) -> None:
        """After the engine re-took a path: a fresh transcript, and no console on an old host."""
        self.transcript = [(outcome, self._reveal(outcome)) for outcome in self.engine.outcomes]
        self._drop_console()

    # -- events ----------------------------------------------------------------------------
    def choose(self, key: str) -> None:
        """Take a choice; the line in the *Why?* box (if any) is stored with it."""
        round_id = self.engine.current_round.id if self.engine.current_round is not None else ""
        self._take(key)
        self.show_message("")
        self.runs.record(self.engine, "choice", round_id, key, reasoning=self.reason_box.value)
        self.reason_box.value = ""
        self.refresh()
        self._focus_next()

    def explain_last(self, text: str) -> None:
        """One line of reasoning written right after a choice, stored with that choice."""
        if not text.strip():
            self.show_message("Type a line of reasoning first, then add it to your last choice.", "status")
            return
        line = self.runs.explain_last(text)
        self.reason_box.value = ""
        self.show_message(f"Reasoning added to your last choice: {line}", "status")
        self.refresh(rebuild=False)

    def _focus_next(self) -> None:
        """Keep keyboard users in the flow: a pressed choice may now be disabled (or gone), so
        focus moves to the first choice still open, or to the remediation's first control."""
        rnd = self.engine.current_round
        if rnd is not None and rnd.kind == "decision":
            button = next((b for b in self.card.buttons.values() if not b.disabled), None)
            if button is not None:
                button.focus()
        elif self.remediation is not None:
            controls = [*self.remediation.run_buttons.values(), *self.remediation.checkboxes.values()]
            if controls:
                controls[0].focus()
        else:
            self.restart_button.focus()

    def restart(self) -> None:
        self.engine.restart()
        self._replayed()
        self.runs.replayed(self.engine)
        self.show_message("")
        self.refresh()

    def replay_code(self, code: str) -> None:
        """Replay a code such as ``B-A-A`` to its end state (remediation ticked, report shown)."""
        self.engine.replay(code, remediate=True)
        self._replayed()
        self.runs.replayed(self.engine)
        self.show_message("")
        self.refresh()

    def replay_from_round(self, number: int) -> None:
        self.engine.replay_to_round(number)
        self._replayed()
        self.runs.replayed(self.engine)
        self.show_message(f"Replaying from round {number}.", "status")
        self.refresh()

    def complete_action(self, action_id: str) -> None:
        round_id = self.engine.current_round.id if self.engine.current_round is not None else ""
        self.engine.complete_action(action_id)
        self.show_message("")
        self.runs.record(self.engine, "action", round_id, action_id)
        self.refresh(rebuild=False)

    def console_command(self, line: str, output: str, minutes: int) -> ConsoleCommand:
        """A remediation console command: the engine says what it counted for and charges it."""
        round_id = self.engine.current_round.id if self.engine.current_round is not None else ""
        verdict = self.engine.console_command(line, output, minutes)
        if verdict.verified and verdict.action is not None:  # logged as what it did, so a rebuild matches
            self.runs.record(self.engine, "action", round_id, verdict.action.id)
        elif verdict.minutes:
            self.runs.record(self.engine, "console", round_id, str(verdict.minutes))
        if verdict.verified:
            self.show_message("")
        self.refresh(rebuild=False)
        return verdict

    def close_incident(self) -> None:
        round_id = self.engine.current_round.id if self.engine.current_round is not None else ""
        self.engine.close_incident()
        self.runs.record(self.engine, "close", round_id, "")
        self.refresh()

    def charge(self, minutes: int) -> None:
        rnd = self.engine.current_round
        self.engine.spend(minutes)
        if rnd is not None and minutes:
            self.runs.record(self.engine, "console", rnd.id, str(minutes))
        self.refresh(rebuild=False)

    # -- drawing ---------------------------------------------------------------------------
    @property
    def last_reveals(self) -> Reveals:
        return self.transcript[-1][1] if self.transcript else []

    def refresh(self, rebuild: bool = True) -> None:
        state = self.engine.state
        # The result of the choice first: it is what the learner waits for after a click, and
        # the frontend applies the updates in the order they are sent.
        last = self.transcript[-1] if self.transcript and not state.finished else None
        self.result.show(last[0] if last else None, last[1] if last else ())
        self.clock.show(state)
        self.path_map.show(self.scenario, state)
        rnd = state.round
        if rnd is None or rnd.kind != "decision" or self.scenario.host is None:
            self.investigate.layout.display = "none"
        if rnd is None:
            self.stage.children = ()
            self._drop_remediation()
        elif rnd.kind == "decision":
            self._drop_remediation()
            self.card.show(rnd, len(self.scenario.rounds), state.tried, instructor=self.instructor.value)
            self.stage.children = (self.card,)
            if rebuild and self.scenario.host is not None:
                self._show_console()
        elif rebuild or self.remediation is None:
            self.stage.children = ()
            self._drop_remediation()
            self.remediation = RemediationRound(
                rnd, len(self.scenario.rounds),
                _hostlink.shell_for(self.engine) if self.scenario.host is not None else None, done=state.completed_actions,
                complete=self.complete_action, account=self.console_command, close=self.close_incident,
                notify=lambda text: self.show_message(text, "status"), guard=self.guard,
            )
            self.stage.children = (self.remediation,)
        self.reasoning.layout.display = "none" if state.finished else None
        self.explain_button.disabled = not state.steps
        if state.finished:
            report = damage_report(self.scenario, state)
            markdown = self.runs.postmortem(self.scenario, report)
            download = download_link(postmortem.filename(self.scenario.id, self.runs.learner), markdown,
                                     "text/markdown", "Download postmortem", "db-download db-download-postmortem")
            self.report_view.show(report, self.runs.reasons, download)
        else:
            self.report_view.show(None)
        reached = rnd.number if rnd is not None else len(self.scenario.rounds)
        options = [(f"Round {r.number}: {r.title}", r.number) for r in self.scenario.rounds[:reached]]
        with self.round_picker.hold_sync():  # options and index in one message
            self.round_picker.options = options
            self.round_picker.value = reached
        notes_round = rnd.id if rnd is not None else self.scenario.rounds[-1].id
        if notes_round != self._notes_round:
            self._notes_round = notes_round
            if self.notes_box.content is not None:
                self.notes_box.content.show_round(notes_round)
        self.runs.save(state)
        if self.pulse is not None:
            self.pulse.poll_once()  # the round on screen changed: its counts at once

    # -- progress and notes ----------------------------------------------------------------
    @property
    def store(self) -> Store:
        """The notes/progress database, opened on first use."""
        return self.runs.store

    @property
    def console(self) -> widgets.Widget | None:
        """The investigation console, once the learner has opened it (a restart or replay discards it)."""
        return self.investigate.content

    @property
    def notes(self) -> NotesPanel:
        """The study-notes panel (built now if its section was never opened)."""
        return self.notes_box.ensure()

    def _build_notes(self) -> NotesPanel:
        return NotesPanel(self.scenario, self.runs.opened_store, group=self.runs.group, author=self.runs.learner,
                          round_id=self._notes_round, open_store=lambda: self.runs.store,
                          on_identity=self.runs.set_identity)

    def offer_resume(self) -> bool:
        """Show a Resume button when this learner has an unfinished saved run."""
        code = self.runs.unfinished_run()
        if not code:
            return False
        self._resume_code = code
        self.resume_button.description = f"Resume ({code})"
        self.resume_button.layout.display = None
        return True

    def resume(self) -> None:
        """Re-take the saved path exactly where it stopped (mid-round tries included)."""
        self.engine.replay(self._resume_code, open_round=True)
        self._replayed()
        self.runs.replayed(self.engine)
        self.resume_button.layout.display = "none"
        self.show_message(f"Resumed your run {self._resume_code}.", "status")
        self.refresh()

    def _build_console(self) -> widgets.Widget:
        """The investigation console for decision rounds, on the host as it is right now; each
        command's minutes go on the incident clock."""
        return _hostlink.console(_hostlink.shell_for(self.engine), self.guard(self.charge))

    def _show_console(self) -> None:
        if self.console is not None:
            _hostlink.retarget(self.console, _hostlink.shell_for(self.engine))
        self.investigate.layout.display = None

    def _drop_console(self) -> None:
        self.investigate.reset()

    def _drop_remediation(self) -> None:
        if self.remediation is not None:
            close_tree(self.remediation)
            self.remediation = None

    def transcript_html(self, *, report: bool = True) -> str:
        """Every outcome of this run and the damage report, as static HTML (the branch atlas)."""
        parts = [render_result(outcome, reveals) for outcome, reveals in self.transcript]
        if report and self.engine.finished:
            parts.append(render_report(damage_report(self.scenario, self.engine.state)))
        return f'<div class="db-root db-transcript">{"".join(parts)}</div>'
