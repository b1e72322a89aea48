"""The course pages' entry points, the functions notebook cells call, under one error policy.

Every page shows a learner one sentence when it cannot be built (an unknown scenario, a broken
quiz file, a bug) and sends the details to whoever runs the course: an error drillbook raises
on purpose (:class:`DrillbookError`) is logged as information, anything else with its
traceback. The views behind these functions are imported when a page asks for them, so the
welcome page does not pay for the replay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import ipywidgets as widgets

from ..errors import DrillbookError
from ..identity import learner_identity, learner_name, on_shared_server
from ..query import awaiting_request, query_params, when_requested
from ._guard import friendly, message_html
from ._log import report_to_operator
from ._models import close_tree, html
from .theme import style_widget

if TYPE_CHECKING:
    from IPython.display import HTML

    from .replay import ReplayApp

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
    except Exception as exc:  # noqa: BLE001 - a page shows one sentence, never a traceback
        return error_view(_cannot_open(what, exc))


def _cannot_open(what: str, exc: Exception) -> str:
    """The learner's sentence for a part that failed; the details go to the operator's log
    (an error drillbook raises on purpose as information, anything else with its traceback)."""
    if isinstance(exc, DrillbookError):
        log.info("cannot open the %s: %s", what, exc)
    else:
        log.error("cannot open the %s", what, exc_info=exc)
    return f"Cannot open the {what}: {friendly(exc)}"


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


# -- the pages ----------------------------------------------------------------------------------

def app(scenario_id: str = "bond-failover", query: str | None = None) -> widgets.VBox:
    """The replay of a scenario id or file, applying ``?path=``, ``?instructor=``, ``?group=``
    and ``?name=``; ``?instructor=1&group=G`` adds the live class pulse of group G.

    In a warm kernel the replay is built before anyone asks, for nobody in particular, inside a
    box; when the request arrives it is handed to the learner (their name, their saved run,
    their ``?path=``), and rebuilt only for the instructor's class view, which counts no clicks.
    """
    from .replay import ReplayApp

    if query is not None or not awaiting_request():
        params = query_params(query)
        replay = _replay(scenario_id, params)
        if isinstance(replay, ReplayApp):
            _open_for(replay, params)
        return replay

    page = widgets.VBox([_replay(scenario_id, {})])
    page.add_class("db-page")

    def arrived(params: dict[str, str]) -> None:
        replay = page.children[0]
        if not isinstance(replay, ReplayApp):
            return  # the page could not be built; its error view stays
        if _class_view(params):
            built, replay = replay, _replay(scenario_id, params)
            page.children = (replay,)
            close_tree(built)  # the browser must not be sent a second, unused replay
            if not isinstance(replay, ReplayApp):
                return
        else:
            replay.runs.set_identity(params.get("group", ""), learner_name(params))
            replay.instructor.value = _truthy(params.get("instructor", ""))
        _open_for(replay, params)

    when_requested(arrived)
    return page


def _class_view(params: dict[str, str]) -> bool:
    """``?instructor=1&group=G``: the class pulse of group G, and this page's own clicks are
    not counted among the group's."""
    return _truthy(params.get("instructor", "")) and "group" in params


def _replay(scenario_id: str, params: dict[str, str]) -> "ReplayApp | widgets.VBox":
    """The replay app for the request ``params``, or the error view."""
    from ..content import find_scenario
    from ..scenario import load_scenario
    from .replay import ReplayApp

    def build() -> ReplayApp:
        class_view = _class_view(params)
        scenario = load_scenario(find_scenario(scenario_id))
        return ReplayApp(scenario, instructor=_truthy(params.get("instructor", "")),
                         group=params.get("group", ""), learner=learner_name(params),
                         remember_anonymous=not on_shared_server(), log_events=not class_view, pulse=class_view)

    return open_page("incident", build)


def _open_for(replay: "ReplayApp", params: dict[str, str]) -> None:
    """Start the class pulse, then open at ``?path=`` or offer the learner's saved run."""
    if replay.pulse is not None:
        replay.pulse.start()
    if params.get("path"):
        replay.code_box.value = params["path"]
        replay.guard(replay.replay_code)(params["path"])
    else:
        replay.guard(replay.offer_resume)()


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
    """The quiz ``course/quizzes/<quiz_id>.yaml`` as a widget; attempts are kept for a named
    learner (asked when an attempt is made: a warm kernel builds the quiz before anyone asks)."""
    from ..quiz import load_quiz
    from .quiz import QuizView

    def save_attempt(answers: dict[str, Any], right: int, total: int) -> None:
        from ..store import Learner, Store

        who = learner_identity()
        if who is None:
            return
        store = Store()
        try:
            store.add_quiz_attempt(quiz_id, Learner(*who), answers, score=right, total=total)
        finally:
            store.close()

    return open_page("quiz", lambda: QuizView(load_quiz(quiz_id), on_attempt=save_attempt))


def my_progress(query: str | None = None) -> "HTML | widgets.HTML | widgets.VBox":
    """The welcome page's "your progress": primers visited, quiz scores, replays and best times;
    for an anonymous learner on a shared server, how to have progress kept. The course's quizzes
    and scenarios are read ahead (in a warm kernel, before anyone asks); the learner's progress
    once the request says who they are."""
    from IPython.display import HTML

    from ..content import quiz_dir, scenario_dir
    from ..course import default_course
    from ..learner import learner_progress
    from ..quiz import load_quiz
    from ..scenario import load_scenario
    from ..store import Store, default_path
    from .nav import for_the_learner
    from .welcome import render_anonymous, render_progress

    report_to_operator()
    try:
        quizzes = [load_quiz(p.stem) for p in sorted(quiz_dir().glob("*.yaml"))]
        scenarios = [load_scenario(p) for p in sorted(scenario_dir().glob("*.yaml"))]
    except Exception as exc:  # noqa: BLE001 - a page shows one sentence, never a traceback
        return error_view(_cannot_open("progress", exc))

    def progress_of(params: Mapping[str, str]) -> str:
        who = learner_identity(params)
        if who is None:
            return render_anonymous()
        store = Store.read_only() if default_path().exists() else None
        try:
            progress = learner_progress(store, group=who[0], name=who[1], course=default_course(),
                                        quizzes=quizzes, scenarios=scenarios)
        finally:
            if store is not None:
                store.close()
        label = who[1] or "you"
        return render_progress(progress, label + (f" ({who[0]})" if who[0] else ""))

    def render(params: Mapping[str, str]) -> str:
        try:
            return progress_of(params)
        except Exception as exc:  # noqa: BLE001 - a page shows one sentence, never a traceback
            return message_html(_cannot_open("progress", exc))

    if query is not None:
        return HTML(render(query_params(query)))
    return for_the_learner(render, "db-progress-widget")


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
