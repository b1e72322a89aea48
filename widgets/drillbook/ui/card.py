"""The round card: title, pressure cue, what you see and four choice buttons.

Choices are real ``Button`` widgets (Tab reaches them, Enter/Space press them) whose text is
the full label; CSS lets it wrap. A choice already tried in this round is disabled and shows
its verdict next to it; the instructor view shows every verdict and why up front.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..model import CHOICE_KEYS, Choice, Round
from ._badges import badge, minutes
from ._models import html, plain_layout, shared
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
    """Shows one decision round; ``on_choose(key)`` is called when a choice is pressed.

    The four buttons are made once and updated for each round (every decision round has
    exactly the choices A-D), so keyboard focus survives and no widgets pile up in the kernel.
    """

    def __init__(self, on_choose: Callable[[str], None]) -> None:
        self._on_choose = on_choose
        self.header = html("db-round-header")
        self.buttons: dict[str, widgets.Button] = {}
        self.notes: dict[str, widgets.HTML] = {}
        self.rows: dict[str, widgets.VBox] = {}
        # The four buttons look alike: one layout and one style model for all of them.
        layout = shared("choice-layout", lambda: widgets.Layout(width="auto", height="auto"))
        style = shared("choice-style", widgets.ButtonStyle)
        for key in CHOICE_KEYS:
            button = widgets.Button(layout=layout, style=style)
            button.add_class("db-choice")
            button.on_click(lambda _b, key=key: self._on_choose(key))
            self.buttons[key] = button
            self.notes[key] = html("db-choice-note")
            self.rows[key] = widgets.VBox([button, self.notes[key]], layout=plain_layout())
            self.rows[key].add_class("db-choice-row")
        self.choice_box = widgets.VBox(list(self.rows.values()), layout=plain_layout())
        self.choice_box.add_class("db-choices")
        super().__init__([self.header, html("db-choose-prompt", "<strong>Choose your action:</strong>"), self.choice_box])
        self.add_class("db-card")

    def show(self, rnd: Round, total_rounds: int, tried: tuple[str, ...], *, instructor: bool = False) -> None:
        self.header.value = render_round_header(rnd, total_rounds)
        for choice in rnd.choices:
            was_tried = choice.key in tried
            button = self.buttons[choice.key]
            with button.hold_sync():  # one update message per button, not one per property
                button.description = button_text(choice)
                button.tooltip = f"Choice {choice.key}: {choice.label}" + (f" (tried: {choice.verdict_label})" if was_tried else "")
                button.disabled = was_tried
            self.notes[choice.key].value = render_choice_note(choice, tried=was_tried, instructor=instructor)
            row = self.rows[choice.key]
            if was_tried:
                row.add_class("db-choice-tried")
            else:
                row.remove_class("db-choice-tried")
