"""The class pulse in-process: learners' kernels click, the instructor's panel counts them.

The live loop is tested on a real asyncio loop here and end to end in the browser
(tests/browser/test_class_pulse.py)."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from drillbook.ui import pulse as pulse_module
from drillbook.ui.pages import app
from drillbook.ui.replay import ReplayApp

from .test_ui_replay import finish_remediation


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "class.sqlite3"
    monkeypatch.setenv("DRILLBOOK_DB", str(path))
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")
    return path


REAL_START = pulse_module.ClassPulse.start


@pytest.fixture(autouse=True)
def no_live_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages start the pulse's loop on the running event loop; in this process that may be
    Playwright's (the browser tests share the session), so these tests poll by hand instead."""
    monkeypatch.setattr(pulse_module.ClassPulse, "start", lambda self: False)


def in_fresh_thread(body: Callable[[], None]) -> None:
    """Run ``body`` where no event loop runs yet, re-raising what it raised."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            body()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    if failures:
        raise failures[0]


def counts(replay: ReplayApp, which: str) -> dict[str, int]:
    assert replay.pulse is not None
    block = replay.pulse.board.value.split(f'class="db-pulse-{which}"')[1].split("</div></div>")[0]
    return {key: int(n) for key, n in re.findall(r'db-bar-label">([A-D])\).*?data-count="(\d+)"', block)}


def test_only_the_instructor_with_a_group_gets_the_pulse(db: Path) -> None:
    assert app("bond-failover", query="group=blue&name=ana").pulse is None
    assert app("bond-failover", query="instructor=1").pulse is None
    learner = app("bond-failover", query="group=blue")
    assert "branch-atlas.ipynb" not in "".join(getattr(w, "value", "") for w in learner.children)
    teacher = app("bond-failover", query="instructor=1&group=blue")
    assert teacher.pulse is not None
    assert 'href="branch-atlas.ipynb"' in teacher.pulse.children[0].value


def test_counts_first_and_all_choices_of_the_round_on_screen(db: Path) -> None:
    teacher = app("bond-failover", query="instructor=1&group=blue")
    assert teacher.pulse is not None
    assert counts(teacher, "first") == {"A": 0, "B": 0, "C": 0, "D": 0}  # no database yet, nobody counted
    assert "No learner of this group has made a choice yet." in teacher.pulse.board.value
    ana = app("bond-failover", query="group=blue&name=ana")
    ana.card.buttons["A"].click()
    ana.card.buttons["B"].click()
    anon = app("bond-failover", query="group=blue")
    anon.card.buttons["C"].click()
    app("bond-failover", query="group=red&name=cy").card.buttons["D"].click()  # another group
    assert teacher.pulse.poll_once()
    assert counts(teacher, "first") == {"A": 1, "B": 0, "C": 1, "D": 0}
    assert counts(teacher, "all") == {"A": 1, "B": 1, "C": 1, "D": 0}
    assert not teacher.pulse.poll_once()  # nothing new: nothing sent
    where = teacher.pulse.board.value.split("Who is where")[1]
    assert "<td>ana</td><td>Round 2: First Triage Data</td><td>6</td>" in where
    assert re.search(r"<td>anonymous [0-9a-f]{4}</td><td>Round 1: Alert Fires</td><td>2</td>", where)
    assert "cy" not in where
    # the instructor's own clicks are not the class's; the board follows the round on screen
    teacher.card.buttons["B"].click()
    assert "Round 2: First Triage Data" in teacher.pulse.board.value
    assert counts(teacher, "first") == {"A": 0, "B": 0, "C": 0, "D": 0}
    teacher.restart_button.click()
    assert counts(teacher, "all") == {"A": 1, "B": 1, "C": 1, "D": 0}


def test_finishers_minutes_and_sla(db: Path) -> None:
    from drillbook.pulse import minute_buckets

    teacher = app("bond-failover", query="instructor=1&group=blue")
    finished = []
    for name, code in (("ana", "B-A-A"), ("bo", "B-DA-A"), ("cy", "ACDB-BCDA-BCDA")):
        learner = app("bond-failover", query=f"group=blue&name={name}")
        for group in code.split("-"):
            for key in group:
                learner.card.buttons[key].click()
        finish_remediation(learner)
        finished.append(learner.engine.state)
    app("bond-failover", query="group=blue&name=dee&path=B-A-A")  # opening a replay code is not finishing
    teacher.pulse.poll_once()  # type: ignore[union-attr]
    board = teacher.pulse.board.value  # type: ignore[union-attr]
    assert [s.sla_breached for s in finished] == [False, False, True]
    assert "<h4>Finished: 3</h4>" in board and "2 of 3 met the SLA." in board
    histogram = re.findall(r'db-bar-label">(\d+)-\d+ min</span>.*?data-count="(\d+)"', board.split("Finished")[1])
    assert [(int(start), int(n)) for start, n in histogram] == minute_buckets(
        tuple(s.elapsed_minutes for s in finished))
    assert sum(int(n) for _, n in histogram) == 3


def test_the_live_loop_updates_by_itself_and_stops_when_closed(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulse_module, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(pulse_module.ClassPulse, "start", REAL_START)

    def lesson() -> None:
        teacher = app("bond-failover", query="instructor=1&group=blue")
        learner = app("bond-failover", query="group=blue&name=ana")
        assert teacher.pulse is not None and not teacher.pulse.running  # no event loop: nothing to start

        async def in_a_kernel() -> None:
            assert teacher.pulse is not None and teacher.pulse.start()
            await asyncio.sleep(0.1)
            learner.card.buttons["D"].click()
            await asyncio.sleep(0.3)
            assert counts(teacher, "first")["D"] == 1  # no poll_once() by the test: the loop did it
            teacher.pulse.close()
            await asyncio.sleep(0.1)
            assert not teacher.pulse.running

        asyncio.run(in_a_kernel())

    in_fresh_thread(lesson)


def test_a_damaged_store_is_one_sentence_in_the_pulse(db: Path) -> None:
    db.write_bytes(b"garbage " * 500)
    teacher = app("bond-failover", query="instructor=1&group=blue")
    assert teacher.pulse is not None
    assert f"the notes database at {db} is damaged" in teacher.pulse.status.value
    assert teacher.engine.current_round is not None  # and the replay still plays
    teacher.card.buttons["B"].click()
    assert teacher.engine.path_code == "B"
