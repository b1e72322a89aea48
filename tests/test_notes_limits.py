"""Note fields at their limits, through the store and the notes panel: a long body is kept
whole up to the limit and refused (kept in the box, with a clear message) beyond it; the author
is escaped in the panel as the body is."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.errors import StoreError
from drillbook.scenario import Scenario
from drillbook.store import MAX_NOTE, Store
from drillbook.ui.notes import NotesPanel


def _long_body(length: int) -> str:
    words = "bond0 eth1 firmware mismatch; check ethtool -i before failing over. "
    return (words * (length // len(words) + 1))[:length - 1] + "!"


def test_the_limit_is_a_paragraph_not_a_file() -> None:
    assert MAX_NOTE == 20_000


def test_long_body_round_trips_whole(tmp_path: Path) -> None:
    store = Store(tmp_path / "n.sqlite3")
    for length in (1_000, 1_001, 5_000, MAX_NOTE):
        body = _long_body(length)
        note = store.add_note("bond-failover", "triage", body, group="g")
        assert store.note(note.id).body == body, length
        assert store.update_note(note.id, body).body == body, length
    again = Store(tmp_path / "n.sqlite3")
    assert [len(n.body) for n in again.notes("bond-failover", "triage", group="g")] == [1_000, 1_001, 5_000, MAX_NOTE]


def test_body_over_the_limit_is_refused_with_the_limit(tmp_path: Path) -> None:
    store = Store(tmp_path / "n.sqlite3")
    with pytest.raises(StoreError) as caught:
        store.add_note("bond-failover", "triage", _long_body(MAX_NOTE + 1))
    assert str(caught.value) == "a note is 20,001 characters long; the limit is 20,000"
    note = store.add_note("bond-failover", "triage", "short")
    with pytest.raises(StoreError):
        store.update_note(note.id, _long_body(MAX_NOTE + 1))
    assert store.note(note.id).body == "short"
    assert len(store.notes("bond-failover")) == 1


def test_panel_keeps_a_long_note_whole_and_refuses_a_longer_one(tmp_path: Path, seed: Scenario) -> None:
    panel = NotesPanel(seed, Store(tmp_path / "n.sqlite3"), group="blue")
    body = _long_body(MAX_NOTE)
    panel.body.value = body
    panel.save.click()
    assert "Note saved." in panel.status.value
    assert body.replace("'", "&#x27;")[-2_000:] in panel.listing.value
    too_long = _long_body(MAX_NOTE + 1)
    panel.body.value = too_long
    panel.save.click()
    assert "20,001 characters long; the limit is 20,000" in panel.status.value
    assert panel.body.value == too_long  # nothing the learner typed is lost


def test_author_is_escaped_in_the_notes_panel(tmp_path: Path, seed: Scenario) -> None:
    panel = NotesPanel(seed, Store(tmp_path / "n.sqlite3"), group="blue")
    panel.author.value = '<img src=x onerror="alert(1)">ana'
    panel.body.value = "plain body"
    panel.save.click()
    assert "<img" not in panel.listing.value
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;ana" in panel.listing.value
