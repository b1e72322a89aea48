"""Static views for the debrief page: the scenario's remediation checklist and damage facts.

The debrief must not retype the incident: both lists are read from the scenario file, so an
edited scenario changes the debrief too. Plain HTML output (no widgets): nothing to click.
"""

from __future__ import annotations

from collections.abc import Callable

from IPython.display import HTML

from ..errors import DrillbookError
from ..scenario import Scenario, find_scenario, load_scenario
from ._common import friendly, message_html
from ._html import rich


def _load(scenario_id: str) -> Scenario:
    return load_scenario(find_scenario(scenario_id))


def checklist_html(scenario: Scenario) -> str:
    """The remediation round's actions as a numbered list; verifiable ones show their command."""
    rounds = [r for r in scenario.rounds if r.kind == "remediation"]
    if not rounds:
        raise DrillbookError(f"scenario '{scenario.id}' has no remediation round")
    items = "".join(f"<li>{rich(action.text)}</li>" for rnd in rounds for action in rnd.actions)
    return f'<ol class="db-root db-debrief-list">{items}</ol>'


def facts_html(scenario: Scenario) -> str:
    """The scenario's reference damage report, one fact per line."""
    items = "".join(f"<li>{rich(fact)}</li>" for fact in scenario.damage.facts)
    return f'<ul class="db-root db-debrief-list db-debrief-facts">{items}</ul>'


def _show(render: Callable[[Scenario], str], scenario_id: str) -> HTML:
    try:
        return HTML(render(_load(scenario_id)))
    except Exception as exc:  # noqa: BLE001 - a page shows one sentence, never a traceback
        return HTML(f'<div class="db-root">{message_html(friendly(exc))}</div>')


def checklist(scenario_id: str) -> HTML:
    return _show(checklist_html, scenario_id)


def damage_facts(scenario_id: str) -> HTML:
    return _show(facts_html, scenario_id)
