"""Progress a learner can see: pages visited, quiz attempts stored with their answers, replays
finished; the welcome page shows them for a named learner and one sentence to anyone else."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from drillbook.content import scenario_dir
from drillbook.store import Store
from drillbook.ui.nav import header, header_html
from drillbook.ui.pages import my_progress, quiz
from drillbook.ui.quiz import QuestionView, QuizView
from drillbook.ui.welcome import KEEP_PROGRESS

from .test_ui_replay import finish_remediation


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "course.sqlite3"
    monkeypatch.setenv("DRILLBOOK_DB", str(path))
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")  # a shared server: only named learners are kept
    return path


def as_page(monkeypatch: pytest.MonkeyPatch, query: str) -> None:
    monkeypatch.setenv("QUERY_STRING", query)


def answer(question: QuestionView, right: bool) -> None:
    correct = sorted(question.question.correct)
    if question.radio is not None:
        wrong = next(i for i in range(len(question.question.options)) if i not in correct)
        question.radio.index = correct[0] if right else wrong
    else:
        for i, box in enumerate(question.boxes):
            box.value = (i in correct) == right
    question.check_button.click()


def test_quiz_attempts_are_stored_with_their_answers(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_page(monkeypatch, "name=ana&group=blue")
    view = quiz("linux-ops")
    assert isinstance(view, QuizView)
    for i, question in enumerate(view.questions):
        answer(question, right=i != 0)
    first = view.questions[0]
    first.retry_button.click()
    answer(first, right=True)
    attempts = Store(db).quiz_attempts(group="blue", learner="ana", quiz_id="linux-ops")
    total = len(view.questions)
    assert [(a.score, a.total) for a in attempts] == [(total - 1, total), (total, total)]
    qid = first.question.id
    assert attempts[0].answers[qid]["correct"] is False and attempts[1].answers[qid]["correct"] is True
    assert attempts[1].answers[qid]["picked"] == sorted(first.question.correct)[:1] or first.radio is None
    assert set(attempts[1].answers) == {q.question.id for q in view.questions}


def test_an_anonymous_quiz_on_a_shared_server_is_not_stored(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_page(monkeypatch, "")
    view = quiz("linux-ops")
    assert isinstance(view, QuizView)
    for question in view.questions:
        answer(question, right=True)
    assert not db.exists()


def test_the_welcome_page_shows_a_named_learners_progress(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from drillbook.ui.pages import app

    as_page(monkeypatch, "name=ana&group=blue")
    header("primer-linux-ops.ipynb")
    header("primer-linux-ops.ipynb")
    header("primer-lacp-bonding.ipynb")
    view = quiz("lacp-bonding")
    assert isinstance(view, QuizView)
    for i, question in enumerate(view.questions):
        answer(question, right=i % 2 == 0)
    replay = app("bond-failover", query="name=ana&group=blue")
    for key in "BDAA":  # round 2: D first (10 minutes lost), then A
        replay.card.buttons[key].click()
    finish_remediation(replay)
    best = replay.engine.elapsed_minutes
    page = my_progress("name=ana&group=blue").data  # type: ignore[union-attr]
    assert "Your progress, ana (blue)" in page
    replays = len(list(scenario_dir().glob("*.yaml")))
    assert f"2 of 4 primers visited, 1 of 4 quizzes tried, 1 of {replays} replays finished." in page
    total, right = len(view.questions), (len(view.questions) + 1) // 2
    row = re.search(r"<tr><td>Check yourself: bonding &amp; LACP</td><td>([^<]*)</td><td>([^<]*)</td><td>(\d+)</td></tr>", page)
    assert row is not None and row.groups() == (f"{right} of {total}", f"{right} of {total}", "1")
    assert f"best {best} minutes, optimal 15 minutes" in page
    assert 'class="db-chart" role="img"' in page and "Your best time" in page
    # another learner of the group sees only their own
    assert "0 of 4 primers visited" in my_progress("name=bo&group=blue").data  # type: ignore[union-attr]


def test_an_anonymous_learner_is_told_how_to_keep_progress(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_page(monkeypatch, "")
    header("primer-linux-ops.ipynb")
    page = my_progress("").data  # type: ignore[union-attr]
    assert html.escape(KEEP_PROGRESS) in page and "Your progress," not in page
    assert KEEP_PROGRESS.count(". ") == 0  # one sentence
    assert not db.exists()  # nothing was written for nobody


def test_links_keep_the_learner_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")  # the page query is read under Voila only
    as_page(monkeypatch, "name=ana%20m&group=blue&path=B-A-A&instructor=1")
    html = header_html("primer-lacp-bonding.ipynb")
    assert 'rel="next" href="footguns-networking.ipynb?name=ana+m&amp;group=blue"' in html
