"""Static views for the debrief page: the scenario's remediation checklist and damage facts.

The debrief must not retype the incident: both lists are read from the scenario file, so an
edited scenario changes the debrief too. The page's entry points are in :mod:`.pages`.
"""

from __future__ import annotations

from ..errors import DrillbookError
from ..model import Scenario
from ._html import rich


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
