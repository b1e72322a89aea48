"""The remediation round: a checklist worked through on the embedded console.

An action with a ``command`` is done by running that command in the console (or pressing
"Run it for me"). Whether the output verifies the action and what the command costs is the
engine's call (:meth:`drillbook.engine.Engine.console_command`); this view shows the verdict.
Follow-up actions (tickets, no command) are ticked with checkboxes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..engine import ConsoleCommand
from ..model import Action, Round
from . import _hostlink
from ._badges import minutes
from ._models import html
from ._html import esc, rich
from .card import render_round_header


class ActionShell:
    """The console's shell in a remediation round: each command's output goes to ``account``
    (the engine's :meth:`~drillbook.engine.Engine.console_command`, via the app), which
    charges the clock and says whether an action was verified; the console shows that cost
    and charges nothing itself."""

    def __init__(self, shell: Any, account: Callable[[str, str, int], ConsoleCommand | None],
                 verified: Callable[[Action], None], refused: Callable[[Action], None]) -> None:
        self._shell = shell
        self._account = account
        self._verified = verified
        self._refused = refused

    def __getattr__(self, name: str) -> Any:  # completion helpers etc. of the real shell
        return getattr(self._shell, name)

    def run(self, line: str) -> Any:
        result = self._shell.run(line)
        verdict = self._account(line, result.output, result.minutes)
        if verdict is None:  # the engine refused the event; the app shows why
            return _hostlink.costing(result, 0)
        if verdict.action is not None:
            (self._verified if verdict.verified else self._refused)(verdict.action)
        return _hostlink.costing(result, verdict.minutes)


def render_action(action: Action, done: bool, console: bool = True) -> str:
    """One checklist line; follow-ups (no command) show their state in their checkbox."""
    if not action.command or not console:
        status = ""
    elif done:
        status = '<span class="db-check db-check-done">✓ done</span> '
    else:
        status = '<span class="db-check db-check-todo">○ to do</span> '
    how = ""
    if action.command and console and not done:
        how = f'<div class="db-action-how">Run <code>{esc(action.command)}</code> in the console below.</div>'
    return f'{status}<span class="db-action-text">{rich(action.text)}</span> ' \
           f'<span class="db-cost">({minutes(action.minutes)})</span>{how}'


class RemediationRound(widgets.VBox):
    """Checklist + console + "Close incident" for one remediation round.

    ``complete(action_id)`` (a ticked follow-up), ``account(line, output, minutes)`` (a console
    command) and ``close()`` go to the engine; ``notify(text)`` shows a message in the app;
    ``guard`` wraps every callback so errors become messages.
    """

    def __init__(self, rnd: Round, total_rounds: int, shell: Any, *, done: tuple[str, ...], complete: Callable[[str], None],
                 account: Callable[[str, str, int], ConsoleCommand], close: Callable[[], None],
                 notify: Callable[[str], None], guard: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
        self.round = rnd
        self._complete = guard(complete)
        self._notify = notify
        self._done: set[str] = set(done)
        # Without a simulated host there is no console: every action is ticked by hand.
        self.shell = (ActionShell(shell, guard(account), self._completed_by_console, self._refused)
                      if shell is not None else None)
        self.console = _hostlink.console(self.shell) if self.shell is not None else None
        self.rows: dict[str, widgets.HTML] = {}
        self.run_buttons: dict[str, widgets.Button] = {}
        self.checkboxes: dict[str, widgets.Checkbox] = {}
        items = []
        for action in rnd.actions:
            row = html("db-action", render_action(action, action.id in self._done, self.shell is not None))
            self.rows[action.id] = row
            if action.command and self.shell is not None:
                button = widgets.Button(description="Run it for me", tooltip=f"Run {action.command} in the console",
                                        disabled=action.id in self._done)
                button.add_class("db-run-for-me")
                button.on_click(lambda _b, a=action: guard(self.run_for_me)(a))
                self.run_buttons[action.id] = button
                box = widgets.HBox([row, button])
            else:
                box_ = widgets.Checkbox(value=action.id in self._done, description="Done", indent=False,
                                        disabled=action.id in self._done, tooltip=action.text)
                box_.add_class("db-followup")
                box_.observe(lambda change, a=action: guard(self._ticked)(a, change), names="value")
                self.checkboxes[action.id] = box_
                box = widgets.HBox([box_, row])
            box.add_class("db-action-row")
            items.append(box)
        self.close_button = widgets.Button(description="Close incident", button_style="warning",
                                           tooltip="Finish now; unticked actions count as missed")
        self.close_button.add_class("db-close")
        self.close_button.on_click(lambda _b: guard(close)())
        checklist = widgets.VBox(items)
        checklist.add_class("db-checklist-box")
        head = render_round_header(rnd, total_rounds) + "<h4>Remediation checklist</h4>"
        parts = [html("db-remediation-head", head), checklist]
        super().__init__(parts + ([self.console] if self.console is not None else []) + [self.close_button])
        self.add_class("db-remediation")

    # -- events ----------------------------------------------------------------------------
    def run_for_me(self, action: Action) -> None:
        """Run the action's command in the console for keyboard users and presenters."""
        _hostlink.console_run(self.console, action.command)

    def _completed_by_console(self, action: Action) -> None:
        self._done.add(action.id)
        self.mark(action)

    def _refused(self, action: Action) -> None:
        self._notify(f"The output does not show “{action.expect}” yet, so this step is not verified.")

    def _ticked(self, action: Action, change: dict[str, Any]) -> None:
        if change["new"] and action.id not in self._done:
            self._done.add(action.id)
            self.mark(action)
            self._complete(action.id)

    def mark(self, action: Action) -> None:
        self.rows[action.id].value = render_action(action, True, self.shell is not None)
        if action.id in self.run_buttons:
            self.run_buttons[action.id].disabled = True
        if action.id in self.checkboxes:
            self.checkboxes[action.id].disabled = True
