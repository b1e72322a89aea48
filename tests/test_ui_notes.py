"""The notes panel, driven in-process as a learner would: type, save, switch round, export."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from drillbook.scenario import Scenario
from drillbook.store import Store
from drillbook.ui.notes import NotesPanel


@pytest.fixture()
def panel(tmp_path: Path, seed: Scenario) -> NotesPanel:
    return NotesPanel(seed, Store(tmp_path / "n.sqlite3"), group="blue")


def test_save_shows_the_note_and_persists(panel: NotesPanel, tmp_path: Path, seed: Scenario) -> None:
    panel.body.value = "Both slaves down <b>why</b>?"
    panel.author.value = "ana"
    panel.save.click()
    assert panel.body.value == ""
    assert "Note saved." in panel.status.value
    assert "Both slaves down &lt;b&gt;why&lt;/b&gt;?" in panel.listing.value
    assert "<b>why" not in panel.listing.value
    # a new panel (a new kernel) on the same database shows it
    again = NotesPanel(seed, Store(tmp_path / "n.sqlite3"), group="blue")
    assert "Both slaves down" in again.listing.value


def test_notes_follow_the_round(panel: NotesPanel) -> None:
    panel.body.value = "round one note"
    panel.save.click()
    panel.show_round("triage")
    assert "round 2: First Triage Data" in panel.heading.value
    assert "No notes yet" in panel.listing.value
    panel.show_round("alert")
    assert "round one note" in panel.listing.value


def test_empty_note_is_refused_kindly(panel: NotesPanel) -> None:
    panel.body.value = "   "
    panel.save.click()
    assert "an empty note was not saved" in panel.status.value
    assert 'role="alert"' in panel.status.value


def test_group_switch_changes_the_thread(panel: NotesPanel) -> None:
    panel.body.value = "blue team thought"
    panel.save.click()
    panel.group.value = "red"
    assert "blue team thought" not in panel.listing.value


def test_export_gives_markdown_and_json_downloads(panel: NotesPanel) -> None:
    panel.export.click()
    assert "no notes to export" in panel.status.value
    panel.body.value = "export me"
    panel.save.click()
    panel.export.click()
    links = re.findall(r'download="([^"]+)" href="data:([^;]+);charset=utf-8;base64,([^"]+)"', panel.downloads.value)
    assert [(name, mime) for name, mime, _ in links] == [
        ("bond-failover-notes.md", "text/markdown"),
        ("bond-failover-notes.json", "application/json"),
    ]
    markdown = base64.b64decode(links[0][2]).decode()
    assert "## Round 1: Alert Fires" in markdown and "export me" in markdown
