"""The round card: title, pressure cue, what you see and four choice buttons.

Choices are real ``Button`` widgets (Tab reaches them, Enter/Space press them) whose text is
the full label; CSS lets it wrap. A choice already tried in this round is disabled and shows
its verdict next to it; the instructor view shows every verdict and why up front.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..scenario import Choice, Round
from ._common import badge, html, minutes
from ._html import esc, rich


def render_round_header(rnd: Round, total_rounds: int) -> str:
    """Round number, title, the pressure cue as an alert banner and what you see."""
    return (
        f'<h3 class="db-round-title">Round {rnd.number} of {total_rounds}: {esc(rnd.title)}</h3>'
        f'<div class="db-cue" role="alert"><strong>Pressure:</strong> {rich(rnd.pressure_cue)}</div>'
        f'<div class="db-seen"><strong>What you see:</strong> {rich(rnd.what_you_see)}</div>'
    )


def render_choice_note(choice: Choice, *, tried: bool, instructor: bool) -> str:
    """What sits beside a choice button: nothing, its verdict once tried, or the answer key."""
    if not (tried or instructor):
        return ""
    parts = [badge(choice.verdict, choice.verdict_label)]
    if tried:
        parts.append('<span class="db-tried">tried</span>')
    if instructor:
        parts.append(f'<span class="db-cost">{minutes(choice.minutes)}</span>')
        if choice.why:
            parts.append(f'<span class="db-why">{rich(choice.why)}</span>')
    return " ".join(parts)


def button_text(choice: Choice) -> str:
    return f"{choice.key}) {choice.label}"


class RoundCard(widgets.VBox):
    """Shows one decision round; ``on_choose(key)`` is called when a choice is pressed."""

    def __init__(self, on_choose: Callable[[str], None]) -> None:
        self._on_choose = on_choose
        self.header = html("db-round-header")
        self.buttons: dict[str, widgets.Button] = {}
        self.notes: dict[str, widgets.HTML] = {}
        self.choice_box = widgets.VBox()
        self.choice_box.add_class("db-choices")
        super().__init__([self.header, html("db-choose-prompt", "<strong>Choose your action:</strong>"), self.choice_box])
        self.add_class("db-card")

    def show(self, rnd: Round, total_rounds: int, tried: tuple[str, ...], *, instructor: bool = False) -> None:
        self.header.value = render_round_header(rnd, total_rounds)
        rows = []
        self.buttons, self.notes = {}, {}
        for choice in rnd.choices:
            was_tried = choice.key in tried
            button = widgets.Button(
                description=button_text(choice),
                tooltip=f"Choice {choice.key}: {choice.label}" + (f" (tried: {choice.verdict_label})" if was_tried else ""),
                disabled=was_tried,
                layout=widgets.Layout(width="auto", height="auto"),
            )
            button.add_class("db-choice")
            button.on_click(lambda _b, key=choice.key: self._on_choose(key))
            note = html("db-choice-note", render_choice_note(choice, tried=was_tried, instructor=instructor))
            row = widgets.VBox([button, note])
            row.add_class("db-choice-row")
            if was_tried:
                row.add_class("db-choice-tried")
            self.buttons[choice.key] = button
            self.notes[choice.key] = note
            rows.append(row)
        self.choice_box.children = rows
