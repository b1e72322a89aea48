"""The decision log in the replay, driven as a learner: a line of reasoning typed before or
after a choice is stored with it, shown beside it in the damage report and in the postmortem
the report offers for download; events carry group and name; a broken store is one sentence."""

from __future__ import annotations

import base64
import re
import sqlite3
from pathlib import Path

import pytest

from drillbook.scenario import Scenario
from drillbook.store import Store
from drillbook.ui.pages import app
from drillbook.ui.replay import ReplayApp

from .test_ui_replay import finish_remediation


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "class.sqlite3"
    monkeypatch.setenv("DRILLBOOK_DB", str(path))
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-1")  # a shared server, as in class
    return path


def play_with_reasons(replay: ReplayApp) -> None:
    replay.reason_box.value = "Promote first, debug later"  # written before the choice
    replay.card.buttons["A"].click()
    assert replay.reason_box.value == ""
    replay.card.buttons["B"].click()
    replay.reason_box.value = "Only the BMC console <b>sees</b> the bond"  # written right after
    replay.explain_button.click()
    assert "Reasoning added to your last choice" in replay.message.value
    replay.card.buttons["A"].click()
    replay.card.buttons["A"].click()
    finish_remediation(replay)


def postmortem_from(replay: ReplayApp) -> tuple[str, str]:
    [(name, data)] = re.findall(r'class="db-download db-download-postmortem" download="([^"]+)" '
                                r'href="data:text/markdown;charset=utf-8;base64,([^"]+)"', replay.report_view.value)
    return name, base64.b64decode(data).decode("utf-8")


def test_reasoning_is_stored_with_the_choice_and_shown_beside_it(db: Path) -> None:
    replay = app("bond-failover", query="group=blue&name=ana")
    play_with_reasons(replay)
    assert replay.engine.finished
    report = replay.report_view.value
    steps = report.split('<ul class="db-steps">')[1].split("</ul>")[0].split("<li>")[1:]
    assert "Your reasoning:</span> <q>Promote first, debug later</q>" in steps[0]
    assert "<q>Only the BMC console &lt;b&gt;sees&lt;/b&gt; the bond</q>" in steps[1]  # escaped
    assert "Your reasoning" not in steps[2]
    rows = sqlite3.connect(db).execute(
        "SELECT grp, learner, round_id, value, reasoning FROM choices WHERE kind = 'choice' ORDER BY id").fetchall()
    assert rows == [("blue", "ana", "alert", "A", "Promote first, debug later"),
                    ("blue", "ana", "alert", "B", "Only the BMC console <b>sees</b> the bond"),
                    ("blue", "ana", "triage", "A", ""), ("blue", "ana", "root-cause", "A", "")]


def test_the_damage_report_offers_the_postmortem_as_a_file(db: Path) -> None:
    Store(db).add_note("bond-failover", "triage", "ethtool -i first", group="blue", author="bo")
    replay = app("bond-failover", query="group=blue&name=ana")
    play_with_reasons(replay)
    name, markdown = postmortem_from(replay)
    assert name == "bond-failover-postmortem-ana.md"
    assert markdown.startswith("# Postmortem: Network Bonding Failover Not Working")
    assert "| Wasted time | 3 | Promote first, debug later |" in markdown
    assert "- [x] Verify bond status" in markdown and "- **bo** (" in markdown
    # the same document as the CLI's export of the stored run
    from drillbook import postmortem

    store = Store.read_only(db)
    events = store.run_events("bond-failover", group="blue", learner="ana")
    report, reasons = postmortem.report_for(replay.scenario, events, "ana")
    assert reasons == replay.runs.reasons
    assert report.steps == replay.engine.steps and report.remediation == tuple(
        (a, True) for a in replay.scenario.rounds[-1].actions)


def test_anonymous_learners_are_one_per_kernel_and_never_merged(db: Path) -> None:
    for _kernel in range(2):
        replay = app("bond-failover", query="group=blue")
        replay.card.buttons["C"].click()
    sessions = sqlite3.connect(db).execute("SELECT learner, session FROM choices").fetchall()
    assert len(sessions) == 2 and {learner for learner, _ in sessions} == {""}
    assert len({session for _, session in sessions}) == 2
    assert Store(db).round_counts("bond-failover", "blue", "alert").first == {"C": 2}


def test_replays_and_resumes_are_not_counted_as_clicks(db: Path) -> None:
    replay = app("bond-failover", query="group=blue&name=ana&path=B-A-A")
    replay.restart_button.click()
    replay.card.buttons["D"].click()
    counts = Store(db).round_counts("bond-failover", "blue", "alert")
    assert counts.first == {"D": 1} and counts.all == {"D": 1}


def test_an_anonymous_learner_without_a_group_on_a_shared_server_leaves_no_file(db: Path) -> None:
    replay = app("bond-failover", query="")
    replay.card.buttons["B"].click()
    assert not db.exists()


def test_a_damaged_database_lets_the_replay_play_and_says_so(db: Path) -> None:
    db.write_bytes(b"not a database at all " * 200)
    replay = app("bond-failover", query="group=blue&name=ana")
    replay.reason_box.value = "console first"
    replay.card.buttons["B"].click()
    message = replay.store_status.value
    assert f"the notes database at {db} is damaged" in message and "The replay goes on without saving." in message
    replay.card.buttons["A"].click()
    replay.card.buttons["A"].click()
    finish_remediation(replay)
    assert replay.engine.finished and "<q>console first</q>" in replay.report_view.value
    assert replay.store_status.value == message  # still saying so at the end
    _name, markdown = postmortem_from(replay)
    assert "| console first |" in markdown
    assert db.read_bytes().startswith(b"not a database at all")  # left as it was
