"""Quizzes: the course's quiz files load, bad files get one precise sentence, grading is exact,
and the widget gives feedback, a score and a retry when driven like a learner."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.errors import ScenarioError, UnknownIdError
from drillbook.content import quiz_dir
from drillbook.quiz import Question, grade, load_quiz, load_quiz_file, render_output
from drillbook.ui.pages import quiz
from drillbook.ui.quiz import QuizView

from .conftest import FILES, assert_error_names_file_line_and_field

BAD = FILES / "quiz-bad"
COURSE_QUIZZES = ("datacenter-hardware", "linux-ops", "lacp-bonding", "footguns-networking")

# file -> (line, text the reported line must contain, where-fragment, message-fragment)
CASES: dict[str, tuple[int, str, str, str]] = {
    "empty.yaml": (1, "", "", "the file is empty"),
    "syntax-error.yaml": (9, "", "", "YAML syntax error"),
    "top-level-list.yaml": (1, "- id: sample", "", "expected a mapping of fields, got a list"),
    "python-tag.yaml": (2, "!!python", "", "are not allowed"),
    "no-questions.yaml": (3, "questions: []", "field 'questions'", "must have between 1 and 50 entries, got 0"),
    "unknown-kind.yaml": (5, "kind: essay", "question 'first' field 'kind'", "unknown value 'essay' (expected one of: single, multiple, output)"),
    "single-two-correct.yaml": (7, "options:", "question 'first' field 'options'", "needs exactly one 'correct: true' option, found 2"),
    "multiple-none-correct.yaml": (16, "options:", "question 'second' field 'options'", "no option is marked 'correct: true'"),
    "missing-why.yaml": (11, '- text: "active-backup"', "question 'first' option #2 field 'why'", "is missing"),
    "one-option.yaml": (26, "options:", "question 'third' field 'options'", "must have between 2 and 6 entries, got 1"),
    "duplicate-question-id.yaml": (13, "- id: first", "question 'first' field 'id'", "duplicate question id 'first'"),
    "duplicate-option.yaml": (20, '- text: "active-backup"', "question 'second' option #2 field 'text'", "repeats option text 'active-backup'"),
    "output-missing.yaml": (22, "- id: third", "question 'third' field 'output'", "is missing"),
    "output-on-single.yaml": (7, "output:", "question 'first' field 'output'", "only 'output' questions show command output"),
    "output-text-and-scenario.yaml": (25, "output:", "question 'third' output field 'scenario'", "cannot be combined with 'text'"),
    "unknown-scenario.yaml": (25, "no-such-incident", "question 'third' output field 'scenario'", "no scenario 'no-such-incident'"),
    "unknown-option-key.yaml": (22, "explain:", "question 'second' option #2 field 'explain'", "unknown key 'explain' (known keys here: correct, text, why)"),
    "correct-not-bool.yaml": (9, 'correct: "yes"', "question 'first' option #1 field 'correct'", "must be true or false, got text"),
    "bad-question-id.yaml": (22, "Third Question", "question #3 field 'id'", "is not a valid id"),
    "prompt-not-text.yaml": (24, "prompt: [a, list]", "question 'third' field 'prompt'", "must be text, got a list"),
}


def test_bad_corpus_is_complete() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_quiz_names_file_line_and_field(name: str) -> None:
    assert_error_names_file_line_and_field(load_quiz_file, BAD / name, CASES[name])


def test_quiz_id_must_match_its_file_name(tmp_path: Path) -> None:
    source = (quiz_dir() / "linux-ops.yaml").read_text(encoding="utf-8")
    copy = tmp_path / "renamed.yaml"
    copy.write_text(source, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"renamed\.yaml:\d+: field 'id': 'linux-ops' must match the file name 'renamed.yaml'"):
        load_quiz_file(copy, expected_id="renamed")


@pytest.mark.parametrize("quiz_id", COURSE_QUIZZES)
def test_course_quizzes_load_with_at_least_five_questions(quiz_id: str) -> None:
    loaded = load_quiz(quiz_id)
    assert len(loaded.questions) >= 5
    assert all(option.why for q in loaded.questions for option in q.options)


def test_every_course_quiz_file_is_valid() -> None:
    names = sorted(p.stem for p in quiz_dir().glob("*.yaml"))
    assert names == sorted(COURSE_QUIZZES)
    kinds = {q.kind for name in names for q in load_quiz(name).questions}
    assert kinds == {"single", "multiple", "output"}


def test_output_questions_are_rendered_by_the_host_simulator() -> None:
    """The /proc question shows what the simulated host prints at the alert: both slaves down."""
    question = load_quiz("lacp-bonding").question("read-proc")
    text = render_output(question.output)
    assert text.startswith("$ cat /proc/net/bonding/bond0\nEthernet Channel Bonding Driver: v6.8.0-51-generic")
    assert "Currently Active Slave: None" in text
    firmware = render_output(load_quiz("datacenter-hardware").question("eth1-firmware").output)
    assert "firmware-version: 0x80000208" in firmware and "bus-info: 0000:d8:00.0" in firmware


@pytest.mark.parametrize("bad", ["../course", "nope", "Linux-Ops"])
def test_unknown_quiz_ids_are_refused(bad: str) -> None:
    with pytest.raises(UnknownIdError, match="no quiz"):
        load_quiz(bad)


def _multiple() -> Question:
    return next(q for q in load_quiz("lacp-bonding").questions if q.kind == "multiple")


def test_grading_needs_exactly_the_correct_set() -> None:
    question = _multiple()
    right = sorted(question.correct)
    assert grade(question, right).correct
    partial = grade(question, right[:1])
    assert not partial.correct and partial.missed == frozenset(right[1:]) and not partial.wrong
    wrong_index = next(i for i in range(len(question.options)) if i not in question.correct)
    extra = grade(question, [*right, wrong_index])
    assert not extra.correct and extra.wrong == {wrong_index}
    with pytest.raises(UnknownIdError):
        grade(question, [99])


# -- the widget, driven like a learner ------------------------------------------------------

def _view(quiz_id: str = "lacp-bonding") -> QuizView:
    view = quiz(quiz_id)
    assert isinstance(view, QuizView)
    return view


def test_widget_right_answer_shows_why_and_scores() -> None:
    view = _view()
    first = view.questions[0]
    assert first.check_button.disabled  # nothing picked yet
    assert "0 of 7" in view.score.value
    first.radio.index = sorted(first.question.correct)[0]
    assert not first.check_button.disabled
    first.check_button.click()
    assert "Right." in first.feedback.value
    assert "driver&#x27;s default" in first.feedback.value  # the chosen option's explanation, escaped
    assert first.radio.disabled and first.check_button.disabled
    assert first.retry_button.layout.display == "none"
    assert "1 of 7</strong> right (1 of 7 answered)" in view.score.value


def test_widget_wrong_answer_explains_and_allows_retry() -> None:
    view = _view()
    first = view.questions[0]
    wrong = next(i for i in range(len(first.question.options)) if i not in first.question.correct)
    first.radio.index = wrong
    first.check_button.click()
    assert "Not quite" in first.feedback.value
    assert "(your answer)" in first.feedback.value
    assert first.retry_button.layout.display == ""
    assert "0 of 7</strong> right (1 of 7 answered)" in view.score.value
    first.retry_button.click()
    assert first.radio.index is None and not first.radio.disabled and first.feedback.value == ""
    assert "(0 of 7 answered)" in view.score.value
    first.radio.index = sorted(first.question.correct)[0]
    first.check_button.click()
    assert "1 of 7</strong> right" in view.score.value


def test_widget_multiple_choice_partial_then_full() -> None:
    view = _view()
    qv = next(q for q in view.questions if q.question.kind == "multiple")
    right = sorted(qv.question.correct)
    qv.boxes[right[0]].value = True
    qv.check_button.click()
    assert "Partly right" in qv.feedback.value
    assert all(box.disabled for box in qv.boxes)
    qv.retry_button.click()
    assert not any(box.value for box in qv.boxes)
    for index in right:
        qv.boxes[index].value = True
    qv.check_button.click()
    assert "Right." in qv.feedback.value


def test_widget_output_question_shows_simulated_terminal() -> None:
    view = _view()
    qv = next(q for q in view.questions if q.question.kind == "output")
    terminal = qv.children[1].value
    assert terminal.startswith('<pre class="db-terminal" tabindex="0">$ cat /proc/net/bonding/bond0')


def test_widget_restart_clears_every_answer() -> None:
    view = _view()
    for qv in view.questions:
        if qv.radio is not None:
            qv.radio.index = sorted(qv.question.correct)[0]
        else:
            for index in qv.question.correct:
                qv.boxes[index].value = True
        qv.check_button.click()
    assert "7 of 7</strong> right" in view.score.value and "All done" in view.score.value
    view.retry_all.click()
    assert "0 of 7</strong> right (0 of 7 answered)" in view.score.value
    assert all(q.grade is None and q.feedback.value == "" for q in view.questions)


def test_widget_is_themed_and_escapes_quiz_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "xss.yaml").write_text(
        'id: xss\ntitle: "<script>alert(1)</script>"\nquestions:\n'
        '  - id: q\n    kind: single\n    prompt: "<img src=x onerror=alert(1)>"\n    options:\n'
        '      - {text: "<b>a</b>", correct: true, why: "<script>bad()</script>"}\n'
        '      - {text: "b", why: "no"}\n',
        encoding="utf-8",
    )
    monkeypatch.setattr("drillbook.quiz.quiz_dir", lambda: tmp_path)
    load_quiz.cache_clear()
    try:
        view = _view("xss")
    finally:
        load_quiz.cache_clear()
    assert "db-root" in view._dom_classes
    assert "<style>" in view.children[0].value  # style_widget() carries the stylesheet
    html = view.children[1].value + view.questions[0].children[0].value
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html
    qv = view.questions[0]
    qv.radio.index = 0
    qv.check_button.click()
    assert "<script>" not in qv.feedback.value and "&lt;b&gt;a&lt;/b&gt;" in qv.feedback.value


def test_a_broken_quiz_shows_one_sentence_not_a_traceback() -> None:
    box = quiz("no-such-quiz")
    text = box.children[1].value
    assert "no quiz &#x27;no-such-quiz&#x27;" in text and "Traceback" not in text
    assert "db-root" in box._dom_classes
