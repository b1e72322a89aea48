"""The path map: every round as a breadcrumb, with the choices made so far and their verdicts."""

from __future__ import annotations

import ipywidgets as widgets

from ..engine import ReplayState
from ..model import Scenario
from ._badges import badge
from ._html import esc


def render_path(scenario: Scenario, state: ReplayState) -> str:
    current = state.round.id if state.round is not None else None
    items = []
    for rnd in scenario.rounds:
        steps = [s for s in state.steps if s.round_id == rnd.id]
        if rnd.id == current:
            css, aria, status = "db-path-current", ' aria-current="step"', "you are here"
        elif steps or (rnd.kind == "remediation" and state.finished and state.completed_actions):
            css, aria, status = "db-path-done", "", "done"
        else:
            css, aria, status = "db-path-todo", "", "not reached"
        chips = "".join(
            f'<span class="db-path-step">{esc(s.key)} {badge(s.verdict, s.verdict_label)}</span>' for s in steps
        )
        items.append(
            f'<li class="{css}"{aria}><span class="db-path-round">Round {rnd.number}: {esc(rnd.title)}</span> '
            f'<span class="db-path-status">({status})</span> {chips}</li>'
        )
    code = f' <span class="db-path-code">path <code>{esc(state.path_code)}</code></span>' if state.path_code else ""
    return f'<nav aria-label="Incident path"><ol class="db-path">{"".join(items)}</ol>{code}</nav>'


class PathMap(widgets.HTML):
    def __init__(self) -> None:
        super().__init__()
        self.add_class("db-pathmap")

    def show(self, scenario: Scenario, state: ReplayState) -> None:
        self.value = render_path(scenario, state)
