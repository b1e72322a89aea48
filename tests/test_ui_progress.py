"""Progress and notes inside the replay app: saved on every event, offered back on reopening."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.scenario import Scenario
from drillbook.store import Store
from drillbook.ui.pages import app
from drillbook.ui.replay import ReplayApp


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "progress.sqlite3"
    monkeypatch.setenv("DRILLBOOK_DB", str(path))
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    monkeypatch.delenv("VOILA_BASE_URL", raising=False)
    return path


def test_every_choice_is_saved_and_a_new_kernel_offers_to_resume(db: Path, seed: Scenario) -> None:
    first = app("bond-failover", query="")
    first.card.buttons["A"].click()
    first.card.buttons["B"].click()
    first.card.buttons["D"].click()
    saved = Store(db).progress("bond-failover")
    assert saved is not None and saved.path_code == "AB-D" and not saved.finished

    second = app("bond-failover", query="")  # the tab was closed; a new kernel opens the page
    assert second.resume_button.layout.display is None
    assert "AB-D" in second.resume_button.description
    second.resume_button.click()
    assert second.engine.path_code == "AB-D"
    assert second.engine.current_round.id == "triage"
    assert second.card.buttons["D"].disabled  # the try inside round 2 came back too
    assert "Resumed your run AB-D" in second.message.value


def test_finished_runs_are_not_offered(db: Path) -> None:
    app("bond-failover", query="path=B-A-A")
    progress = Store(db).progress("bond-failover")
    assert progress is not None and progress.finished and progress.total_minutes == 15
    assert app("bond-failover", query="").resume_button.layout.display == "none"


def test_shared_voila_server_needs_a_name(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-1")
    anonymous = app("bond-failover", query="")
    anonymous.card.buttons["B"].click()
    assert Store(db).progress("bond-failover") is None  # nobody to remember it for
    named = app("bond-failover", query="name=ana&group=blue")
    named.card.buttons["B"].click()
    assert Store(db).progress("bond-failover", group="blue", learner="ana").path_code == "B"
    again = app("bond-failover", query="name=ana&group=blue")
    assert "Resume (B)" == again.resume_button.description
    assert app("bond-failover", query="name=bo&group=blue").resume_button.layout.display == "none"


def test_notes_follow_the_replay_round(db: Path) -> None:
    replay = app("bond-failover", query="group=blue")
    replay.card.buttons["C"].click()  # a try before the notes are first opened
    replay.notes_box.toggle.value = True
    assert "round 1: Alert Fires" in replay.notes.heading.value
    assert replay.notes.group.value == "blue"
    replay.notes.body.value = "Why both slaves down?"
    replay.notes.save.click()
    replay.card.buttons["B"].click()
    assert "round 2: First Triage Data" in replay.notes.heading.value
    assert "Why both slaves down?" not in replay.notes.listing.value
    replay.restart_button.click()
    assert "Why both slaves down?" in replay.notes.listing.value


def test_a_broken_database_does_not_break_the_replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: Scenario) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("DRILLBOOK_DB", str(blocker / "db.sqlite3"))
    replay = ReplayApp(seed)
    replay.card.buttons["B"].click()
    assert replay.engine.path_code == "B"
    assert "Your progress cannot be saved" in replay.store_status.value
    replay.card.buttons["A"].click()  # the replay goes on, without repeating the warning
    assert replay.engine.path_code == "B-A"


def test_name_typed_in_the_notes_panel_is_who_progress_is_saved_for(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-2")  # shared server: only named learners are remembered
    replay = app("bond-failover", query="")
    replay.card.buttons["B"].click()
    assert Store(db).progress("bond-failover") is None
    replay.notes_box.toggle.value = True
    replay.notes.group.value = "red"
    replay.notes.author.value = "cy"
    replay.card.buttons["A"].click()
    assert Store(db).progress("bond-failover", group="red", learner="cy").path_code == "B-A"
