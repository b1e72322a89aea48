"""The course pages' entry points, the functions notebook cells call, under one error policy.

Every page shows a learner one sentence when it cannot be built (an unknown scenario, a broken
quiz file, a bug) and sends the details to whoever runs the course: an error drillbook raises
on purpose (:class:`DrillbookError`) is logged as information, anything else with its
traceback. The views behind these functions are imported when a page asks for them, so the
welcome page does not pay for the replay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import ipywidgets as widgets

from ..errors import DrillbookError
from ..identity import learner_identity, learner_name, on_shared_server
from ..query import query_params  # waits for the request in a preheated kernel
from ._guard import friendly, message_html
from ._log import report_to_operator
from ._models import html
from .theme import style_widget

if TYPE_CHECKING:
    from IPython.display import HTML

log = logging.getLogger("drillbook.ui")

#: what a page's builder returns: a widget, or static HTML for pages with nothing to click
P = TypeVar("P")


def error_view(text: str) -> widgets.VBox:
    """What a page shows instead of its content when it cannot be built."""
    box = widgets.VBox([style_widget(), html("db-message-area", message_html(text))])
    box.add_class("db-root")
    return box


def open_page(what: str, build: Callable[[], P]) -> P | widgets.VBox:
    """``build()``, or the error view saying ``Cannot open the <what>: ...`` if it fails."""
    report_to_operator()
    try:
        return build()
    except DrillbookError as exc:
        log.info("cannot open the %s: %s", what, exc)
        return error_view(f"Cannot open the {what}: {friendly(exc)}")
    except Exception as exc:  # noqa: BLE001 - a page shows one sentence, never a traceback
        log.exception("cannot open the %s", what)
        return error_view(f"Cannot open the {what}: {friendly(exc)}")


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


# -- the pages ----------------------------------------------------------------------------------

def app(scenario_id: str = "bond-failover", query: str | None = None) -> widgets.VBox:
    """The replay of a scenario id or file, applying ``?path=``, ``?instructor=``, ``?group=``
    and ``?name=``; ``?instructor=1&group=G`` adds the live class pulse of group G."""
    from ..content import find_scenario
    from ..scenario import load_scenario
    from .replay import ReplayApp

    params = query_params(query)

    instructor = _truthy(params.get("instructor", ""))
    #: ``?instructor=1&group=G``: the class pulse of group G, and this page's own clicks are
    #: not counted among the group's
    class_view = instructor and "group" in params

    def build() -> ReplayApp:
        scenario = load_scenario(find_scenario(scenario_id))
        return ReplayApp(scenario, instructor=instructor,
                         group=params.get("group", ""), learner=learner_name(params),
                         remember_anonymous=not on_shared_server(), log_events=not class_view, pulse=class_view)

    replay = open_page("incident", build)
    if isinstance(replay, ReplayApp):
        if replay.pulse is not None:
            replay.pulse.start()
        if params.get("path"):
            replay.code_box.value = params["path"]
            replay.guard(replay.replay_code)(params["path"])
        else:
            replay.guard(replay.offer_resume)()
    return replay


def practice_console(scenario_id: str = "bond-failover", state: str = "start") -> widgets.Widget:
    """A console on a fresh host for primer "try it" blocks: ``state`` is ``"start"`` (the
    moment the alert fires) or a replay code such as ``"B-A-A"`` (the host after that path)."""
    from ..engine import Engine
    from ..content import find_scenario
    from ..scenario import load_scenario
    from . import _hostlink

    def build() -> widgets.Widget:
        engine = Engine(load_scenario(find_scenario(scenario_id)))
        if state and state != "start":
            engine.replay(state)
        return _hostlink.console(_hostlink.shell_for(engine), styled=True)

    return open_page("practice console", build)


def quiz(quiz_id: str) -> widgets.Widget:
    """The quiz ``course/quizzes/<quiz_id>.yaml`` as a widget."""
    from ..quiz import load_quiz
    from .quiz import QuizView

    who = learner_identity()

    def save_attempt(answers: dict[str, Any], right: int, total: int) -> None:
        from ..store import Learner, Store

        assert who is not None
        store = Store()
        try:
            store.add_quiz_attempt(quiz_id, Learner(*who), answers, score=right, total=total)
        finally:
            store.close()

    return open_page("quiz", lambda: QuizView(load_quiz(quiz_id), on_attempt=save_attempt if who else None))


def my_progress(query: str | None = None) -> "HTML | widgets.VBox":
    """The welcome page's "your progress": primers visited, quiz scores, replays and best times;
    for an anonymous learner on a shared server, how to have progress kept."""
    from IPython.display import HTML

    from ..content import quiz_dir, scenario_dir
    from ..course import default_course
    from ..learner import learner_progress
    from ..quiz import load_quiz
    from ..scenario import load_scenario
    from ..store import Store, default_path
    from .theme import stylesheet
    from .welcome import render_anonymous, render_progress

    who = learner_identity(query_params(query))

    def build() -> HTML:
        if who is None:
            return HTML(render_anonymous())
        quizzes = [load_quiz(p.stem) for p in sorted(quiz_dir().glob("*.yaml"))]
        scenarios = [load_scenario(p) for p in sorted(scenario_dir().glob("*.yaml"))]
        store = Store.read_only() if default_path().exists() else None
        try:
            progress = learner_progress(store, group=who[0], name=who[1], course=default_course(),
                                        quizzes=quizzes, scenarios=scenarios)
        finally:
            if store is not None:
                store.close()
        label = who[1] or "you"
        return HTML(render_progress(progress, label + (f" ({who[0]})" if who[0] else "")))

    return open_page("progress", build)


def checklist(scenario_id: str) -> "HTML | widgets.VBox":
    """The scenario's remediation checklist, for the debrief page."""
    from .debrief import checklist_html

    return open_page("checklist", lambda: _static(checklist_html, scenario_id))


def damage_facts(scenario_id: str) -> "HTML | widgets.VBox":
    """The scenario's reference damage report, for the debrief page."""
    from .debrief import facts_html

    return open_page("damage report", lambda: _static(facts_html, scenario_id))


def atlas(scenario_id: str) -> "HTML | widgets.VBox":
    """Every branch of the scenario played by clicking the learner's app, for the branch atlas
    page: the answer key, a table of the branches and what the app showed on each."""
    from .atlas import incident_atlas_html

    return open_page("branch atlas", lambda: _static(incident_atlas_html, scenario_id))


def _static(render: Callable[..., str], scenario_id: str) -> "HTML":
    """Plain HTML output (no widget): the debrief has nothing to click."""
    from IPython.display import HTML

    from ..content import find_scenario
    from ..scenario import load_scenario

    return HTML(render(load_scenario(find_scenario(scenario_id))))


# -- study groups: notes on course sections and the debrief's postmortem ------------------------

def section_notes(page: str, section_id: str) -> widgets.Widget:
    """The study-notes panel of one ``##`` section of a course page (built when opened)."""
    from .study import section_notes_box

    return open_page("study notes", lambda: section_notes_box(page, section_id))


def removed_section_notes(page: str) -> widgets.Widget:
    """The group's notes on sections that ``page`` no longer has: listed, never lost."""
    from .study import removed_notes_box

    return open_page("study notes", lambda: removed_notes_box(page))


def group_postmortem(scenario_id: str = "bond-failover") -> widgets.Widget:
    """The debrief's group postmortem form, saved as typed and exported as Markdown."""
    from ..content import find_scenario
    from ..scenario import load_scenario
    from .study import postmortem_box

    return open_page("postmortem form", lambda: postmortem_box(load_scenario(find_scenario(scenario_id))))
