"""The quiz view: one card per question, real radio buttons / checkboxes, feedback, score, retry.

The view only collects the learner's picks and shows :func:`drillbook.quiz.grade`'s verdict
with every option's explanation; what is right is decided by the quiz data, never here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..quiz import Grade, Question, Quiz, grade, render_output
from ._guard import guarded, message_html
from ._models import html
from ._html import esc, pre, rich
from .theme import style_widget


def _label(text: str) -> str:
    """Option labels are plain text in ipywidgets; drop the `backticks` used for code."""
    return text.replace("`", "")


class QuestionView(widgets.VBox):
    """One question: prompt, optional terminal output, inputs, a Check button and feedback."""

    def __init__(self, question: Question, number: int, on_change: Callable[[], None]) -> None:
        self.question = question
        self.grade: Grade | None = None
        self._on_change = on_change
        prompt = html("db-quiz-prompt", f'<span class="db-quiz-number">Question {number}</span> {rich(question.prompt)}')
        parts: list[widgets.Widget] = [prompt]
        if question.output is not None:
            parts.append(html("db-quiz-output", self._output_html()))
        labels = [_label(o.text) for o in question.options]
        if question.kind == "multiple":
            parts.append(html("db-quiz-hint", "Tick every answer that applies."))
            self.boxes = [widgets.Checkbox(value=False, description=text, indent=False) for text in labels]
            self.radio = None
            for box in self.boxes:
                box.add_class("db-quiz-checkbox")
                box.observe(self._picked, "value")
            parts.append(widgets.VBox(self.boxes))
        else:
            self.boxes = []
            self.radio = widgets.RadioButtons(options=labels, index=None, layout=widgets.Layout(width="auto"))
            self.radio.add_class("db-quiz-radio")
            self.radio.observe(self._picked, "index")
            parts.append(self.radio)
        self.check_button = widgets.Button(description="Check answer", disabled=True, button_style="primary")
        self.retry_button = widgets.Button(description="Try again", layout=widgets.Layout(display="none"))
        self.check_button.on_click(guarded(self._show_message)(self._check))
        self.retry_button.on_click(guarded(self._show_message)(self._retry))
        buttons = widgets.HBox([self.check_button, self.retry_button])
        buttons.add_class("db-quiz-buttons")
        parts.append(buttons)
        self.feedback = html("db-quiz-feedback")
        parts.append(self.feedback)
        super().__init__(parts)
        self.add_class("db-quiz-question")

    def _output_html(self) -> str:
        assert self.question.output is not None
        try:
            text = render_output(self.question.output)
        except Exception:  # noqa: BLE001 - a broken simulator must not break the whole quiz
            return message_html("The simulated output for this question could not be produced.")
        return pre(text)

    # -- learner events ------------------------------------------------------------------
    def chosen(self) -> set[int]:
        if self.radio is not None:
            return set() if self.radio.index is None else {self.radio.index}
        return {i for i, box in enumerate(self.boxes) if box.value}

    def _picked(self, _change: object = None) -> None:
        self.check_button.disabled = self.grade is not None or not self.chosen()

    def _inputs(self) -> list[widgets.Widget]:
        return [self.radio] if self.radio is not None else list(self.boxes)

    def _check(self, _button: object = None) -> None:
        picked = self.chosen()
        if not picked:
            return
        self.grade = grade(self.question, picked)
        for widget in self._inputs():
            widget.disabled = True
        self.check_button.disabled = True
        self.retry_button.layout.display = "none" if self.grade.correct else ""
        self.feedback.value = self._feedback_html(picked, self.grade)
        self._on_change()

    def _retry(self, _button: object = None) -> None:
        self.grade = None
        for widget in self._inputs():
            widget.disabled = False
        if self.radio is not None:
            self.radio.index = None
        for box in self.boxes:
            box.value = False
        self.retry_button.layout.display = "none"
        self.feedback.value = ""
        self._picked()
        self._on_change()

    def _show_message(self, text: str) -> None:
        self.feedback.value = message_html(text)

    # -- rendering -----------------------------------------------------------------------
    def _feedback_html(self, picked: set[int], result: Grade) -> str:
        if result.correct:
            head = '<p class="db-quiz-verdict db-quiz-right"><span aria-hidden="true">✓</span> Right.</p>'
        elif self.question.kind == "multiple" and picked & self.question.correct:
            head = '<p class="db-quiz-verdict db-quiz-wrong"><span aria-hidden="true">◐</span> Partly right: see the notes below, then try again.</p>'
        else:
            head = '<p class="db-quiz-verdict db-quiz-wrong"><span aria-hidden="true">✗</span> Not quite: see the notes below, then try again.</p>'
        rows = []
        for index, option in enumerate(self.question.options):
            mark, state = ("✓", "correct") if option.correct else ("✗", "incorrect")
            yours = ' <span class="db-quiz-yours">(your answer)</span>' if index in picked else ""
            rows.append(
                f'<li class="db-quiz-note db-quiz-note-{state}">'
                f'<span class="db-quiz-mark" aria-label="{state}">{mark}</span> '
                f"<strong>{rich(option.text)}</strong>{yours}<br>{rich(option.why)}</li>"
            )
        return f'<div role="status">{head}<ul class="db-quiz-notes">{"".join(rows)}</ul></div>'


class QuizView(widgets.VBox):
    """A whole quiz with a running score and a button that starts it over."""

    def __init__(self, quiz: Quiz, on_attempt: Callable[[dict[str, Any], int, int], None] | None = None) -> None:
        """``on_attempt(answers, right, total)`` hears every attempt: each time every question
        has been checked (after a retry, again), with the options picked for each question."""
        self.quiz = quiz
        self._on_attempt = on_attempt
        self._last_attempt: dict[str, Any] | None = None
        self.saved = html("db-quiz-saved")
        header = f'<h3 class="db-quiz-title">{esc(quiz.title)}</h3>'
        if quiz.intro:
            header += f'<p class="db-quiz-intro">{rich(quiz.intro)}</p>'
        self.questions = [QuestionView(q, i + 1, self._update) for i, q in enumerate(quiz.questions)]
        self.score = html("db-quiz-score")
        self.retry_all = widgets.Button(description="Start the quiz over")
        self.retry_all.on_click(guarded(self._show_message)(self._restart))
        footer = widgets.HBox([self.score, self.retry_all])
        footer.add_class("db-quiz-footer")
        super().__init__([style_widget(), html("db-quiz-header", header), *self.questions, footer, self.saved])
        self.add_class("db-root")
        self.add_class("db-quiz")
        self._update()

    @property
    def answered(self) -> int:
        return sum(q.grade is not None for q in self.questions)

    @property
    def right(self) -> int:
        return sum(bool(q.grade and q.grade.correct) for q in self.questions)

    def answers(self) -> dict[str, Any]:
        """What was picked for each checked question, and whether it was right."""
        return {q.question.id: {"picked": sorted(q.chosen()), "correct": bool(q.grade and q.grade.correct)}
                for q in self.questions if q.grade is not None}

    def _attempted(self) -> None:
        answers = self.answers()
        if len(answers) < len(self.questions):  # a question is open again: the next full set is a new attempt
            self._last_attempt = None
            return
        if self._on_attempt is None or answers == self._last_attempt:
            return
        self._last_attempt = answers
        guarded(self._show_saved)(self._on_attempt)(answers, self.right, len(self.questions))

    def _show_saved(self, text: str) -> None:
        self.saved.value = message_html(text, "status")

    def _update(self) -> None:
        if self._on_attempt is not None:
            self._attempted()
        total = len(self.questions)
        done = " All done: well played." if self.right == total else ""
        self.score.value = (
            f'<span role="status">Score: <strong>{self.right} of {total}</strong> right'
            f" ({self.answered} of {total} answered).{esc(done)}</span>"
        )

    def _restart(self, _button: object = None) -> None:
        for question in self.questions:
            question._retry()

    def _show_message(self, text: str) -> None:
        self.score.value = message_html(text)
