"""Quizzes (``course/quizzes/*.yaml``): validated questions, answers and explanations, plus grading.

Quizzes are data like scenarios and go through the same line-aware loader and ``Section``
reader, so a typo is reported as ``file:line: question 'x' field 'y': ...``. Grading lives
here, not in the widget, so tests and any other view agree on what counts as right.

Three kinds of question:

* ``single``: pick one option; exactly one is correct.
* ``multiple``: tick every correct option; at least one is correct.
* ``output``: read simulated command output, then pick one option. The output is rendered by
  the host simulator from a named scenario state (``output: {scenario, state, command}``) so it
  always matches what the console shows; a literal ``output: {text: ...}`` is allowed for
  output the simulator does not produce.
"""

from __future__ import annotations

import re

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import _yaml
from ._schema import Section
from .content import find_scenario, quiz_dir
from .errors import DrillbookError, ScenarioError, UnknownIdError
from .replay_codes import parse_code
from .scenario import load_scenario

KINDS = ("single", "multiple", "output")
#: the host as it is when the alert fires; any other state is a replay code
START = "start"
_QUIZ_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MIN_OPTIONS, MAX_OPTIONS = 2, 6


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    why: str  #: shown after answering: why this option is right or wrong


@dataclass(frozen=True)
class OutputSpec:
    """Where an ``output`` question's terminal text comes from."""

    command: str = ""
    scenario: str = ""
    state: str = ""  #: "start" (the page arrives) or a replay code such as "B-A-A"
    text: str = ""  #: literal output, used when no scenario is named


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    prompt: str
    options: tuple[Option, ...]
    output: OutputSpec | None = None
    line: int = 0

    @property
    def correct(self) -> frozenset[int]:
        return frozenset(i for i, o in enumerate(self.options) if o.correct)


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    intro: str
    questions: tuple[Question, ...]
    path: str

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise UnknownIdError(f"quiz '{self.id}' has no question '{question_id}'")


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer: right or not, and what the learner missed or got wrong."""

    correct: bool
    missed: frozenset[int]  #: correct options not chosen
    wrong: frozenset[int]  #: chosen options that are not correct


def grade(question: Question, chosen: Iterable[int]) -> Grade:
    """Grade a set of chosen option indexes; an answer is right only if it is exactly right."""
    picked = frozenset(chosen)
    bad = [i for i in picked if not 0 <= i < len(question.options)]
    if bad:
        raise UnknownIdError(f"question '{question.id}' has no option #{bad[0] + 1}")
    if question.kind != "multiple" and len(picked) > 1:
        raise DrillbookError(f"question '{question.id}' takes one answer, got {len(picked)}")
    missed = question.correct - picked
    wrong = picked - question.correct
    return Grade(not missed and not wrong, missed, wrong)


# -- parsing ---------------------------------------------------------------------------------

def _output(section: Section) -> OutputSpec:
    out = section.section("output", f"{section.where} output")
    if out.has("text"):
        spec = OutputSpec(command=out.text("command", "", max_len=200), text=out.text("text"))
        for extra in ("scenario", "state"):
            if out.has(extra):
                out.fail(extra, "cannot be combined with 'text'; give either literal text or a scenario state")
    else:
        spec = OutputSpec(
            command=out.text("command", max_len=200),
            scenario=out.identifier("scenario"),
            state=out.text("state", START, max_len=64),
        )
        try:
            find_scenario(spec.scenario)
        except UnknownIdError as exc:
            out.fail("scenario", str(exc))
        if spec.state != START:
            try:
                parse_code(spec.state)
            except UnknownIdError:
                out.fail("state", f"'{spec.state}' is neither 'start' nor a replay code like B-A-A")
    out.done()
    return spec


def _question(section: Section) -> Question:
    qid = section.identifier("id")
    section.where = f"question '{qid}'"
    kind = section.choice("kind", KINDS)
    options: list[Option] = []
    for index, raw, line in section.items("options", min_items=MIN_OPTIONS, max_items=MAX_OPTIONS):
        opt = Section(section.path, f"question '{qid}' option #{index + 1}", raw, line)
        option = Option(opt.text("text", max_len=500), opt.boolean("correct", False), opt.text("why", max_len=1000))
        if any(o.text == option.text for o in options):
            opt.fail("text", f"repeats option text '{option.text}'")
        opt.done()
        options.append(option)
    right = sum(o.correct for o in options)
    if kind == "multiple" and right == 0:
        section.fail("options", "no option is marked 'correct: true'")
    if kind != "multiple" and right != 1:
        section.fail("options", f"a '{kind}' question needs exactly one 'correct: true' option, found {right}")
    output = _output(section) if kind == "output" else None
    if kind != "output" and section.has("output"):
        section.fail("output", "only 'output' questions show command output (set kind: output)")
    question = Question(qid, kind, section.text("prompt", max_len=2000), tuple(options), output, section.line)
    section.done()
    return question


def parse_quiz(data: object, path: str, expected_id: str | None = None) -> Quiz:
    """Validate parsed YAML into a :class:`Quiz`; ``expected_id`` is the id its file name implies."""
    if data is None:
        raise ScenarioError.at(path, 1, "", "the file is empty; a quiz needs id, title and questions")
    top = Section(path, "", data, 1)
    questions: list[Question] = []
    for index, raw, line in top.items("questions", min_items=1, max_items=50):
        question = _question(Section(path, f"question #{index + 1}", raw, line))
        if any(q.id == question.id for q in questions):
            raise ScenarioError.at(path, question.line, f"question '{question.id}' field 'id'", f"duplicate question id '{question.id}'")
        questions.append(question)
    quiz = Quiz(top.identifier("id"), top.text("title", max_len=200), top.text("intro", "", max_len=2000), tuple(questions), path)
    if expected_id is not None and quiz.id != expected_id:
        top.fail("id", f"'{quiz.id}' must match the file name '{expected_id}.yaml'")
    top.done()
    return quiz


def load_quiz_file(path: str | Path, expected_id: str | None = None) -> Quiz:
    return parse_quiz(_yaml.load_file(path), str(path), expected_id)


@lru_cache(maxsize=16)
def load_quiz(quiz_id: str) -> Quiz:
    """A course quiz by id (``lacp-bonding`` reads ``course/quizzes/lacp-bonding.yaml``)."""
    path = quiz_dir() / f"{quiz_id}.yaml"
    if not _QUIZ_ID.match(quiz_id) or not path.is_file():
        known = ", ".join(sorted(p.stem for p in quiz_dir().glob("*.yaml"))) or "none"
        raise UnknownIdError(f"no quiz '{quiz_id}' (known: {known})")
    return load_quiz_file(path, expected_id=quiz_id)


# -- simulated output ------------------------------------------------------------------------

def render_output(spec: OutputSpec) -> str:
    """The terminal text an ``output`` question shows, prompt line included.

    Scenario output comes from the same simulated host the console and the replay use: the
    scenario's host at the alert, moved along the replay code in ``state`` if one is given.
    """
    if spec.text:
        body = spec.text
    else:
        from .engine import Engine
        from .host import shell_for

        engine = Engine(load_scenario(find_scenario(spec.scenario)))
        if spec.state != START:
            engine.replay(spec.state)
        body = shell_for(engine).run(spec.command).output
    return f"$ {spec.command}\n{body}" if spec.command else body
