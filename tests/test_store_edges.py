"""The store's contract in full: every field of a progress row and a note, the exact sentences of
its refusals, the name limits on both sides, and the exact export formats (found by
``./run mutate``: a swapped column or a nudged limit must fail a test)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from drillbook.errors import StoreError
from drillbook.store import Note, Store, default_path, export_json, export_markdown


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "notes.sqlite3")


def _recent(stamp: str) -> None:
    when = dt.datetime.fromisoformat(stamp)
    assert when.tzinfo is not None and when.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.timezone.utc) - when).total_seconds()) < 600


def test_progress_row_round_trips_every_field(store: Store, tmp_path: Path) -> None:
    store.save_progress("bond-failover", "B-A", finished=False, total_minutes=6, group=" blue ", learner=" ana ")
    progress = Store(tmp_path / "notes.sqlite3").progress("bond-failover", group="blue", learner="ana")
    assert progress is not None
    assert (progress.group, progress.learner, progress.scenario_id, progress.path_code, progress.finished,
            progress.total_minutes) == ("blue", "ana", "bond-failover", "B-A", False, 6)
    _recent(progress.updated_at)
    store.save_progress("bond-failover", "B-A-A", finished=True, total_minutes=15, group="blue", learner="ana")
    again = store.progress("bond-failover", group=" blue", learner="ana ")
    assert again is not None and (again.path_code, again.finished, again.total_minutes) == ("B-A-A", True, 15)
    assert store.progress("bond-failover", group="blue", learner="bo") is None
    assert store.progress("bond-failover", group="red", learner="ana") is None
    assert store.progress("other", group="blue", learner="ana") is None


def test_note_round_trips_every_field(store: Store) -> None:
    note = store.add_note("bond-failover", "triage", "  check ethtool -i  ", group=" blue ", author=" ana ")
    assert (note.scenario_id, note.round_id, note.group, note.author, note.body) == (
        "bond-failover", "triage", "blue", "ana", "check ethtool -i")
    assert note.id >= 1 and note.created_at == note.updated_at
    _recent(note.created_at)
    second = store.add_note("bond-failover", "alert", "second")
    assert second.id == note.id + 1
    assert store.notes("bond-failover", "triage", group="blue") == [note]
    assert store.notes("bond-failover", group="blue") == [note]
    assert store.notes("bond-failover") == [second]


@pytest.mark.parametrize("field, what", [("group", "the group name"), ("author", "the author name")])
def test_name_limits_on_both_sides(store: Store, field: str, what: str) -> None:
    assert getattr(store.add_note("s", "r", "body", **{field: "n" * 100}), field) == "n" * 100
    with pytest.raises(StoreError) as caught:
        store.add_note("s", "r", "body", **{field: "n" * 101})
    assert str(caught.value) == f"{what} is 101 characters long; the limit is 100"


def test_progress_name_limits(store: Store) -> None:
    store.save_progress("s", "B", finished=False, total_minutes=1, group="g" * 100, learner="l" * 100)
    assert store.progress("s", group="g" * 100, learner="l" * 100) is not None
    with pytest.raises(StoreError) as group:
        store.save_progress("s", "B", finished=False, total_minutes=1, group="g" * 101)
    assert str(group.value) == "the group name is 101 characters long; the limit is 100"
    with pytest.raises(StoreError) as learner:
        store.progress("s", learner="l" * 101)
    assert str(learner.value) == "the learner name is 101 characters long; the limit is 100"


def test_refusals_are_exact_sentences(store: Store) -> None:
    with pytest.raises(StoreError) as empty:
        store.add_note("s", "r", " \x00 ")
    assert str(empty.value) == "an empty note was not saved"
    note = store.add_note("s", "r", "draft")
    with pytest.raises(StoreError) as emptied:
        store.update_note(note.id, "   ")
    assert str(emptied.value) == "a note cannot be emptied; delete it instead"
    with pytest.raises(StoreError) as too_long:
        store.update_note(note.id, "x" * 20_001)
    assert str(too_long.value) == "a note is 20,001 characters long; the limit is 20,000"
    with pytest.raises(StoreError) as not_text:
        store.add_note("s", "r", 42)  # type: ignore[arg-type]
    assert str(not_text.value) == "a note must be text"
    with pytest.raises(StoreError) as bad_utf8:
        store.add_note("s", "r", "body", author="\udcff")
    assert str(bad_utf8.value) == "the author name is not valid UTF-8 text"
    with pytest.raises(StoreError) as missing:
        store.note(999)
    assert str(missing.value) == "there is no note 999"


def test_nul_bytes_are_dropped_not_kept(store: Store) -> None:
    assert store.add_note("s", "r", "a\x00b").body == "ab"


def test_update_changes_the_body_and_stamp_only(store: Store) -> None:
    note = store.add_note("s", "r", "draft", group="g", author="ana")
    updated = store.update_note(note.id, " final ")
    assert (updated.id, updated.body, updated.author, updated.group, updated.created_at) == (
        note.id, "final", "ana", "g", note.created_at)
    store.delete_note(note.id)
    with pytest.raises(StoreError) as gone:
        store.delete_note(note.id)
    assert str(gone.value) == f"there is no note {note.id}"


def test_default_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DRILLBOOK_DB", str(tmp_path / "class.sqlite3"))
    assert default_path() == tmp_path / "class.sqlite3"
    assert Store().path == tmp_path / "class.sqlite3"
    monkeypatch.delenv("DRILLBOOK_DB")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".local" / "share" / "drillbook" / "drillbook.sqlite3"


def test_a_store_creates_its_folder(tmp_path: Path) -> None:
    store = Store(tmp_path / "a" / "b" / "notes.sqlite3")
    store.add_note("s", "r", "x")
    assert (tmp_path / "a" / "b" / "notes.sqlite3").is_file()


def _note(**overrides: object) -> Note:
    fields: dict[str, object] = dict(id=1, scenario_id="s", round_id="triage", group="g", author="ana",
                                     body="line one\nline two", created_at="2025-11-19T03:30:00+00:00",
                                     updated_at="2025-11-19T03:31:00+00:00")
    fields.update(overrides)
    return Note(**fields)  # type: ignore[arg-type]


def test_markdown_export_is_exact() -> None:
    notes = [_note(), _note(id=2, round_id="alert", author="", body="ü first"), _note(id=3, round_id="zzz", body="x")]
    markdown = export_markdown(notes, {"alert": "Round 1: Alert", "triage": "Round 2: Triage"}, "Incident")
    assert markdown == (
        "# Notes: Incident\n\n"
        "## Round 1: Alert\n\n"
        "- 2025-11-19T03:31:00+00:00: ü first\n\n"
        "## Round 2: Triage\n\n"
        "- 2025-11-19T03:31:00+00:00 (ana): line one\n  line two\n\n"
        "## zzz\n\n"
        "- 2025-11-19T03:31:00+00:00 (ana): x\n"
    )


def test_json_export_is_exact() -> None:
    text = export_json([_note(body="ü")])
    assert text == json.dumps([{
        "id": 1, "scenario_id": "s", "round_id": "triage", "group": "g", "author": "ana", "body": "ü",
        "created_at": "2025-11-19T03:30:00+00:00", "updated_at": "2025-11-19T03:31:00+00:00"}],
        indent=2, ensure_ascii=False)
    assert '\n  {\n    "id": 1,' in text and "ü" in text


def test_lookups_apply_the_same_name_limits(store: Store) -> None:
    assert store.notes("s", group="g" * 100) == []
    for lookup in (lambda: store.notes("s", group="g" * 101), lambda: store.notes("s", "r", group="g" * 101),
                   lambda: store.progress("s", group="g" * 101)):
        with pytest.raises(StoreError) as caught:
            lookup()
        assert str(caught.value) == "the group name is 101 characters long; the limit is 100"
    with pytest.raises(StoreError) as learner:
        store.save_progress("s", "B", finished=False, total_minutes=1, learner="l" * 101)
    assert str(learner.value) == "the learner name is 101 characters long; the limit is 100"
    store.save_progress("s", "B", finished=False, total_minutes=1, learner="l" * 100)
    assert store.progress("s", learner="l" * 100) is not None


def test_notes_of_one_round_only(store: Store) -> None:
    store.add_note("s", "triage", "t")
    store.add_note("s", "alert", "a")
    assert [n.body for n in store.notes("s", "triage")] == ["t"]
    assert [n.body for n in store.notes("s")] == ["t", "a"]


def test_one_store_serves_several_threads(store: Store) -> None:
    """Widget callbacks may run on another thread than the one that opened the store."""
    import threading

    errors: list[BaseException] = []

    def write() -> None:
        try:
            store.add_note("s", "r", "from a thread")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    assert errors == [] and [n.body for n in store.notes("s")] == ["from a thread"]


def test_a_database_failure_is_one_sentence(store: Store) -> None:
    store.close()
    with pytest.raises(StoreError) as caught:
        store.notes("s")
    assert str(caught.value).startswith(f"the notes database at {store.path} failed: ")


def test_markdown_skips_rounds_without_notes() -> None:
    notes = [_note(round_id="fix", body="last")]
    markdown = export_markdown(notes, {"alert": "Round 1: Alert", "triage": "Round 2", "fix": "Round 3: Fix"}, "I")
    assert markdown == "# Notes: I\n\n## Round 3: Fix\n\n- 2025-11-19T03:31:00+00:00 (ana): last\n"
