"""The result of the last choice: what happened, the console output it revealed, its cost,
its verdict and why."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from ..engine import Outcome
from ._badges import badge, minutes
from ._models import html
from ._html import esc, pre, rich


def render_terminal(pairs: Sequence[tuple[str, str]]) -> str:
    """Commands and their simulated output, one terminal block each."""
    return "".join(
        f'<div class="db-reveal"><div class="db-reveal-cmd">$ {esc(cmd)}</div>{pre(output)}</div>'
        for cmd, output in pairs
    )


def render_result(outcome: Outcome, reveals: Sequence[tuple[str, str]] = ()) -> str:
    """The result panel's HTML for one outcome."""
    rnd, choice = outcome.round, outcome.choice
    if outcome.finished:
        where = "The incident is over."
    elif outcome.stayed:
        where = f"You are still in round {rnd.number}: choose another action."
    else:
        assert outcome.next_round is not None
        where = f"On to round {outcome.next_round.number}: {esc(outcome.next_round.title)}."
    cost = f"+{minutes(choice.minutes)}"
    if choice.outage_minutes:
        cost += f", +{minutes(choice.outage_minutes)} of outage for users"
    parts = [
        f'<h4 class="db-result-title">Round {rnd.number}, you chose {esc(choice.key)}) {esc(choice.label)}</h4>',
        f'<div class="db-result-meta">{badge(choice.verdict, choice.verdict_label)} '
        f'<span class="db-cost">{cost}</span></div>',
        f'<p class="db-result-text">{rich(choice.result)}</p>',
        render_terminal(reveals),
    ]
    if choice.why:
        parts.append(f'<p class="db-why"><strong>Why:</strong> {rich(choice.why)}</p>')
    parts.append(f'<p class="db-next">{where}</p>')
    return (f'<div class="db-result db-result-{esc(choice.verdict)}" role="region" aria-live="polite" '
            f'aria-label="Result of your choice">{"".join(parts)}</div>')


class ResultPanel(widgets.VBox):
    """Shows the latest outcome (empty before the first choice)."""

    def __init__(self) -> None:
        self.body = html("db-result-body")
        super().__init__([self.body])
        self.add_class("db-result-panel")

    def show(self, outcome: Outcome | None, reveals: Sequence[tuple[str, str]] = ()) -> None:
        self.body.value = render_result(outcome, reveals) if outcome is not None else ""
        self.layout.display = None if outcome is not None else "none"
