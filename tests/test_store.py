"""Notes and progress persist in a real SQLite file, across connections (i.e. kernels)."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from drillbook.errors import StoreError
from drillbook.scenario import Scenario
from drillbook.store import MAX_NOTE, Store, export_json, export_markdown


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "notes.sqlite3"


def test_notes_survive_a_new_connection(db: Path) -> None:
    first = Store(db)
    note = first.add_note("bond-failover", "triage", "Check ethtool -i first", group="blue", author="ana")
    first.close()  # the kernel of the closed tab is gone
    second = Store(db)
    [again] = second.notes("bond-failover", "triage", group="blue")
    assert again == note
    assert again.body == "Check ethtool -i first" and again.author == "ana"
    assert second.notes("bond-failover", "triage", group="red") == []  # groups do not mix


def test_the_file_is_a_real_sqlite_database(db: Path) -> None:
    Store(db).add_note("s", "r", "hello")
    rows = sqlite3.connect(db).execute("SELECT scenario_id, round_id, body FROM notes").fetchall()
    assert rows == [("s", "r", "hello")]


def test_update_delete_and_unknown_ids(db: Path) -> None:
    store = Store(db)
    note = store.add_note("s", "r", "draft")
    assert store.update_note(note.id, "final").body == "final"
    store.delete_note(note.id)
    assert store.notes("s") == []
    with pytest.raises(StoreError, match="there is no note"):
        store.delete_note(note.id)


@pytest.mark.parametrize("body, message", [("   ", "empty note"), ("x" * (MAX_NOTE + 1), "the limit is")])
def test_bad_notes_are_refused_with_a_sentence(db: Path, body: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Store(db).add_note("s", "r", body)


def test_hostile_text_is_stored_verbatim(db: Path) -> None:
    store = Store(db)
    payload = "'); DROP TABLE notes; -- <script>alert(1)</script> \u202e ünïcode"
    store.add_note("s", "r", payload)
    assert store.notes("s")[0].body == payload.strip()


def test_progress_upserts(db: Path) -> None:
    store = Store(db)
    assert store.progress("bond-failover") is None
    store.save_progress("bond-failover", "B", finished=False, total_minutes=3)
    store.save_progress("bond-failover", "B-A-A", finished=True, total_minutes=15)
    progress = Store(db).progress("bond-failover")
    assert progress is not None and progress.path_code == "B-A-A" and progress.finished and progress.total_minutes == 15


def test_concurrent_writers(db: Path) -> None:
    """A classroom writes at once: every note from every thread lands."""
    Store(db)  # create the schema first

    def write(n: int) -> None:
        store = Store(db)
        for i in range(20):
            store.add_note("s", "r", f"{n}-{i}")
        store.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(Store(db).notes("s")) == 100


def test_unwritable_location_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the notes database"):
        Store(blocker / "db.sqlite3")


def test_exports(db: Path, seed: Scenario) -> None:
    store = Store(db)
    store.add_note(seed.id, "triage", "MII down but link up?", author="ana")
    store.add_note(seed.id, "alert", "Use the BMC console", author="")
    notes = store.notes(seed.id)
    titles = {r.id: f"Round {r.number}: {r.title}" for r in seed.rounds}
    markdown = export_markdown(notes, titles, seed.title)
    assert markdown.index("## Round 1: Alert Fires") < markdown.index("## Round 2: First Triage Data")
    assert "(ana): MII down but link up?" in markdown
    assert [n["body"] for n in json.loads(export_json(notes))] == ["MII down but link up?", "Use the BMC console"]
