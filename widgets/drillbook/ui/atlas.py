"""The branch atlas: drive the replay app through every choice of every round by clicking its
buttons, and render what each branch shows as static HTML (the instructor's answer key).

Which branches to play is pure enumeration (:mod:`drillbook.branches`); this module only clicks
them through the real widgets and renders what they showed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..branches import Branch, branches
from ..errors import DrillbookError
from ..model import Scenario
from ..replay_codes import parse_code
from ._badges import badge, minutes
from ._html import esc, rich
from .card import button_text, render_choice_note, render_round_header
from .graph import render_graph
from .replay import ReplayApp
from .theme import stylesheet

__all__ = ["Branch", "Played", "branches", "click_path", "play_branch", "render_answer_key",
           "render_branch", "render_summary", "style_html"]


def click_path(app: ReplayApp, code: str, *, remediate: bool = True) -> None:
    """Play ``code`` by pressing the app's own buttons, then work the remediation checklist
    ("Run it for me" for console actions, the checkbox for follow-ups). Raises if the app
    refused anything, so a broken branch cannot pass silently."""
    for group in parse_code(code):
        for key in group:
            app.card.buttons[key].click()
            _check(app, code)
    if remediate and app.remediation is not None:
        rem = app.remediation
        for action in rem.round.actions:
            if action.id in rem.run_buttons:
                rem.run_buttons[action.id].click()
            else:
                rem.checkboxes[action.id].value = True
            _check(app, code)


def _check(app: ReplayApp, code: str) -> None:
    if "db-message-error" in app.message.value:
        raise DrillbookError(f"branch {code}: the app refused a step: {app.message.value}")


def render_branch(app: ReplayApp, branch: Branch) -> str:
    """One branch: a heading with its code and totals, then every result and the report."""
    state = app.engine.state
    sla = "SLA breached" if state.sla_breached else "SLA met"
    return (
        f'<div class="db-root db-atlas-branch"><h2>{esc(branch.title)}</h2>'
        f"<p>Path <code>{esc(branch.code)}</code>: {minutes(state.elapsed_minutes)}, "
        f"{minutes(state.downtime_minutes)} of downtime, {sla}.</p></div>"
        + app.transcript_html()
    )


def render_answer_key(scenario: Scenario) -> str:
    """The round/choice graph, then every round with every choice's verdict, cost, why and
    result: the instructor's key."""
    parts = []
    for rnd in scenario.rounds:
        parts.append(f'<section class="db-card">{render_round_header(rnd, len(scenario.rounds))}<ul>')
        for choice in rnd.choices:
            parts.append(
                f"<li><strong>{esc(button_text(choice))}</strong> "
                f"{render_choice_note(choice, tried=False, instructor=True)}<br>{rich(choice.result)}</li>"
            )
        for action in rnd.actions:
            parts.append(f"<li>{rich(action.text)} <span class=\"db-cost\">({minutes(action.minutes)})</span></li>")
        parts.append("</ul></section>")
    return (f'<div class="db-root db-answer-key"><h2>Answer key: {esc(scenario.title)}</h2>'
            f'{render_graph(scenario)}{"".join(parts)}</div>')


def render_summary(played: list["Played"]) -> str:
    """One table of every branch: code, minutes, downtime and SLA."""
    body = "".join(
        f"<tr><td>{esc(p.branch.title)}</td><td><code>{esc(p.branch.code)}</code></td>"
        f"<td>{p.minutes}</td><td>{p.downtime}</td>"
        f'<td>{badge("harmful", "SLA breached") if p.sla_breached else badge("recommended", "SLA met")}</td></tr>'
        for p in played
    )
    return (
        '<div class="db-root"><table class="db-whatif"><caption>Every branch at a glance</caption>'
        "<thead><tr><th>Branch</th><th>Code</th><th>Minutes</th><th>Downtime</th><th>SLA</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


@dataclass(frozen=True)
class Played:
    """A branch after it was clicked through: its totals and what the app showed."""

    branch: Branch
    minutes: int
    downtime: int
    sla_breached: bool
    html: str


def play_branch(app: ReplayApp, branch: Branch) -> Played:
    """Press Restart, click the branch through and keep what the app showed."""
    app.restart_button.click()
    click_path(app, branch.code)
    state = app.engine.state
    return Played(branch, state.elapsed_minutes, state.downtime_minutes, state.sla_breached, render_branch(app, branch))


def style_html() -> str:
    """The course stylesheet as a ``<style>`` element for the atlas's static HTML outputs."""
    return f"<style>{stylesheet()}</style>"



def incident_atlas_html(scenario: Scenario) -> str:
    """One incident's whole atlas: its answer key, then every branch played by pressing the
    learner's app's buttons (a table, then what the app showed on each)."""
    replay = ReplayApp(scenario)  # the learner's app, never displayed: play_branch clicks it
    played = [play_branch(replay, branch) for branch in branches(scenario)]
    return render_answer_key(scenario) + render_summary(played) + "".join(p.html for p in played)
