"""The store's contract in full: every field of a progress row and a note, the exact sentences of
its refusals, the name limits on both sides, and the exact export formats (found by
``./run mutate``: a swapped column or a nudged limit must fail a test)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from drillbook.errors import StoreError
from drillbook.store import (MAX_NOTE, Learner, Note, ReplayEvent, Store, default_path, export_json,
                             export_markdown)


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
    assert (second.group, second.author) == ("", "")  # no group, no author: both empty
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
    assert str(caught.value) == f"the notes database at {store.path} failed: Cannot operate on a closed database."
    with pytest.raises(StoreError) as writing:
        store.add_note("s", "r", "x")
    assert str(writing.value) == f"the notes database at {store.path} failed: Cannot operate on a closed database."


def test_markdown_skips_rounds_without_notes() -> None:
    notes = [_note(round_id="fix", body="last")]
    markdown = export_markdown(notes, {"alert": "Round 1: Alert", "triage": "Round 2", "fix": "Round 3: Fix"}, "I")
    assert markdown == "# Notes: I\n\n## Round 3: Fix\n\n- 2025-11-19T03:31:00+00:00 (ana): last\n"


# -- the decision log, the class pulse, quizzes, visits and the group postmortem ------------------
def _event(run: str = "r1", kind: str = "choice", value: str = "B", at_round: str = "triage", **changes: Any) -> ReplayEvent:
    fields: dict[str, Any] = dict(run=run, kind=kind, round_id="alert", value=value, at_round=at_round,
                                  elapsed_minutes=3, downtime_minutes=5, sla_breached=False)
    fields.update(changes)
    return ReplayEvent(**fields)


def test_a_stored_event_round_trips_every_field(store: Store) -> None:
    who = Learner(" blue ", " ana ", "s-1")
    first = store.record_event("bond-failover", who, _event(
        run="run-7", kind="action", value="verify-bond", at_round="fix", elapsed_minutes=11, downtime_minutes=13,
        sla_breached=True, replayed=True, reasoning="  check  it  "))
    second = store.record_event("bond-failover", who, _event(run="run-7", at_round=""))
    assert first >= 1 and second == first + 1
    [stored, finished] = store.run_events("bond-failover", group="blue", learner="ana")
    assert (stored.id, stored.scenario_id, stored.learner, stored.run, stored.kind, stored.round_id, stored.value,
            stored.replayed, stored.at_round, stored.elapsed_minutes, stored.downtime_minutes, stored.sla_breached,
            stored.reasoning) == (first, "bond-failover", Learner("blue", "ana", "s-1"), "run-7", "action", "alert",
                                  "verify-bond", True, "fix", 11, 13, True, "check  it")
    assert stored.finished is False and finished.finished is True
    assert (finished.replayed, finished.sla_breached, finished.reasoning) == (False, False, "")
    _recent(stored.created_at)
    assert store.events_count() == 2
    for who, sentence in ((Learner("g" * 101, "ana"), "the group name is 101 characters long; the limit is 100"),
                          (Learner("g", "l" * 101), "the learner name is 101 characters long; the limit is 100")):
        with pytest.raises(StoreError) as caught:
            store.record_event("s", who, _event())
        assert str(caught.value) == sentence
    store.record_event("s", Learner("g" * 100, "l" * 100), _event())
    assert len(store.run_events("s", group="g" * 100, learner="l" * 100)) == 1


def test_reasoning_is_one_line_and_refused_for_an_unknown_choice(store: Store) -> None:
    event_id = store.record_event("s", Learner("g", "ana"), _event())
    store.set_reasoning(event_id, " the link\nwas  down ")
    [event] = store.run_events("s", group="g", learner="ana")
    assert event.reasoning == "the link was down"
    with pytest.raises(StoreError) as unknown:
        store.set_reasoning(event_id + 1, "why")
    assert str(unknown.value) == f"there is no choice {event_id + 1}"
    with pytest.raises(StoreError) as too_long:
        store.set_reasoning(event_id, "x" * 501)
    assert str(too_long.value) == "the reasoning is 501 characters long; the limit is 500"
    store.set_reasoning(event_id, "x" * 500)
    with pytest.raises(StoreError) as logged_too_long:
        store.record_event("s", Learner("g", "ana"), _event(reasoning="x" * 501))
    assert str(logged_too_long.value) == "the reasoning is 501 characters long; the limit is 500"


def test_the_run_to_report_is_the_latest_finished_one(store: Store) -> None:
    ana = Learner("g", "ana")
    store.record_event("s", ana, _event(run="first", value="A"))
    store.record_event("s", ana, _event(run="first", value="B", at_round=""))
    store.record_event("s", ana, _event(run="second", value="C"))  # started again, not finished
    store.record_event("s", Learner("g", "bo"), _event(run="bo", at_round=""))
    store.record_event("t", ana, _event(run="other-scenario", at_round=""))
    store.record_event("s", Learner("h", "ana"), _event(run="other-group", at_round=""))
    assert [e.value for e in store.run_events("s", group="g", learner="ana")] == ["A", "B"]
    store.record_event("s", ana, _event(run="second", value="D", at_round=""))
    assert [e.value for e in store.run_events("s", group="g", learner="ana")] == ["C", "D"]
    assert store.run_events("s", group="g", learner="nobody") == []


def test_round_counts_count_first_clicks_per_learner_and_every_click(store: Store) -> None:
    ana, bo = Learner("g", "ana"), Learner("g", "bo")
    anon_1, anon_2 = Learner("g", "", "k1"), Learner("g", "", "k2")
    store.record_event("s", ana, _event(value="C"))
    store.record_event("s", ana, _event(value="B"))
    store.record_event("s", bo, _event(value="B"))
    store.record_event("s", anon_1, _event(value="D"))
    store.record_event("s", anon_2, _event(value="D"))  # two anonymous kernels: two learners
    store.record_event("s", anon_1, _event(value="A"))
    store.record_event("s", bo, _event(value="A", replayed=True))  # replayed: not a click
    store.record_event("s", bo, _event(kind="console", value="3"))  # not a choice
    store.record_event("s", Learner("h", "cy"), _event(value="A"))  # another group
    store.record_event("t", ana, _event(value="A"))  # another scenario
    store.record_event("s", ana, _event(value="A", round_id="triage"))  # another round
    counts = store.round_counts("s", "g", "alert")
    assert counts.first == {"C": 1, "B": 1, "D": 2}
    assert counts.all == {"C": 1, "B": 2, "D": 2, "A": 1}


def test_positions_are_each_learners_latest_event(store: Store) -> None:
    ana, bo, anon_1, anon_2 = Learner("g", "ana"), Learner("g", "bo"), Learner("g", "", "k1"), Learner("g", "", "k2")
    store.record_event("s", ana, _event(value="A"))
    store.record_event("s", bo, _event(value="B"))
    store.record_event("s", anon_1, _event(value="C"))
    store.record_event("s", anon_2, _event(value="D"))
    store.record_event("s", ana, _event(value="B", at_round="fix"))
    store.record_event("s", Learner("h", "ana"), _event(value="D"))  # another group
    store.record_event("t", bo, _event(value="D"))  # another scenario
    assert [(e.learner.label, e.value, e.at_round) for e in store.positions("s", "g")] == [
        ("bo", "B", "triage"), ("anonymous k1", "C", "triage"), ("anonymous k2", "D", "triage"), ("ana", "B", "fix")]
    assert store.positions("s", "nobody") == []


def test_finishes_are_each_learners_latest_clicked_finish(store: Store) -> None:
    ana, bo, anon = Learner("g", "ana"), Learner("g", "bo"), Learner("g", "", "k1")
    store.record_event("s", ana, _event(run="1", value="A", at_round="", elapsed_minutes=20))
    store.record_event("s", ana, _event(run="2", value="B", at_round="", elapsed_minutes=12))
    store.record_event("s", ana, _event(run="3", value="C"))  # playing again: the finish stands
    store.record_event("s", bo, _event(run="1", value="D", at_round="", replayed=True))  # a replay code
    store.record_event("s", anon, _event(run="1", value="A", at_round="", elapsed_minutes=30))
    store.record_event("s", Learner("h", "cy"), _event(at_round=""))
    store.record_event("t", bo, _event(at_round=""))
    assert [(e.learner.label, e.value, e.elapsed_minutes) for e in store.finishes("s", "g")] == [
        ("ana", "B", 12), ("anonymous k1", "A", 30)]
    assert store.finished_runs(group="g", learner="ana") == {"s": 12}
    assert store.finished_runs(group="g", learner="bo") == {"t": 3}  # s was only replayed


def test_group_progress_is_best_first(store: Store) -> None:
    store.save_progress("s", "B", finished=False, total_minutes=3, group="g", learner="ana")
    store.save_progress("s", "B-A-A", finished=True, total_minutes=20, group="g", learner="bo")
    store.save_progress("s", "B-A-A", finished=True, total_minutes=15, group="g", learner="dee")
    store.save_progress("s", "B-A-A", finished=True, total_minutes=15, group="g", learner="cy")
    store.save_progress("s", "A", finished=True, total_minutes=1, group="h", learner="eve")
    store.save_progress("t", "A", finished=True, total_minutes=1, group="g", learner="fay")
    store.save_progress("s", "A", finished=False, total_minutes=2, learner="solo")
    assert [p.learner for p in store.group_progress("s")] == ["solo"]  # no group: the learners without one
    rows = store.group_progress("s", group=" g ")
    assert [(p.learner, p.finished, p.total_minutes, p.path_code) for p in rows] == [
        ("cy", True, 15, "B-A-A"), ("dee", True, 15, "B-A-A"), ("bo", True, 20, "B-A-A"), ("ana", False, 3, "B")]
    assert {(p.group, p.scenario_id) for p in rows} == {("g", "s")}
    _recent(rows[0].updated_at)
    with pytest.raises(StoreError) as long_group:
        store.group_progress("s", group="g" * 101)
    assert str(long_group.value) == "the group name is 101 characters long; the limit is 100"


def test_a_group_postmortem_keeps_the_last_words_of_each_field(store: Store) -> None:
    store.save_postmortem_field("s", "summary", " first draft ", group=" g ")
    store.save_postmortem_field("s", "impact", "users saw errors", group="g")
    store.save_postmortem_field("s", "summary", "final words", group="g")
    store.save_postmortem_field("s", "summary", "other group", group="h")
    store.save_postmortem_field("t", "summary", "other scenario", group="g")
    assert store.postmortem("s", group="g ") == {"summary": "final words", "impact": "users saw errors"}
    assert store.postmortem("s") == {}
    store.save_postmortem_field("s", "summary", "no group")
    assert store.postmortem("s") == store.postmortem("s", group="") == {"summary": "no group"}
    stamp = store._rows("SELECT updated_at FROM group_postmortems WHERE grp = 'g' AND field = 'summary'")[0][0]
    _recent(stamp)
    store.save_postmortem_field("s", "f" * 40, "b" * MAX_NOTE, group="g" * 100)
    assert store.postmortem("s", group="g" * 100) == {"f" * 40: "b" * MAX_NOTE}
    refusals = {
        "the group name is 101 characters long; the limit is 100":
            lambda: store.save_postmortem_field("s", "f", "b", group="g" * 101),
        "a postmortem field name is 41 characters long; the limit is 40":
            lambda: store.save_postmortem_field("s", "f" * 41, "b"),
        "a postmortem field is 20,001 characters long; the limit is 20,000":
            lambda: store.save_postmortem_field("s", "f", "b" * (MAX_NOTE + 1)),
    }
    for sentence, refused in refusals.items():
        with pytest.raises(StoreError) as caught:
            refused()
        assert str(caught.value) == sentence
    with pytest.raises(StoreError) as long_lookup:
        store.postmortem("s", group="g" * 101)
    assert str(long_lookup.value) == "the group name is 101 characters long; the limit is 100"


def test_visits_count_each_page_per_learner(store: Store) -> None:
    ana = Learner(" g ", " ana ")
    store.record_visit("index.ipynb", ana)
    store.record_visit("primer.ipynb", ana)
    store.record_visit("index.ipynb", ana)
    store.record_visit("index.ipynb", Learner("g", "bo"))
    store.record_visit("index.ipynb", Learner("h", "ana"))
    assert store.visits(group="g", learner="ana") == {"index.ipynb": 2, "primer.ipynb": 1}
    assert list(store.visits(group="g", learner="ana")) == ["index.ipynb", "primer.ipynb"]  # first opened first
    assert store.visits(group="g", learner="bo") == {"index.ipynb": 1}
    store.record_visit("p", Learner("g" * 100, "l" * 100))
    assert store.visits(group="g" * 100, learner="l" * 100) == {"p": 1}
    for who, sentence in ((Learner("g" * 101, "ana"), "the group name is 101 characters long; the limit is 100"),
                          (Learner("g", "l" * 101), "the learner name is 101 characters long; the limit is 100")):
        with pytest.raises(StoreError) as caught:
            store.record_visit("p", who)
        assert str(caught.value) == sentence


def test_quiz_attempts_round_trip_in_order_with_their_answers(store: Store) -> None:
    ana = Learner(" g ", " ana ")
    first = store.add_quiz_attempt("lacp", ana, {"q2": ["b"], "q1": "ü"}, score=1, total=3)
    second = store.add_quiz_attempt("mtu", ana, {"q1": None}, score=2, total=2)
    store.add_quiz_attempt("lacp", Learner("g", "bo"), {}, score=0, total=3)
    assert first >= 1 and second == first + 1
    attempts = store.quiz_attempts(group="g", learner="ana")
    assert [(a.quiz_id, a.answers, a.score, a.total) for a in attempts] == [
        ("lacp", {"q1": "ü", "q2": ["b"]}, 1, 3), ("mtu", {"q1": None}, 2, 2)]
    _recent(attempts[0].created_at)
    assert [a.quiz_id for a in store.quiz_attempts(group="g", learner="ana", quiz_id="mtu")] == ["mtu"]
    stored = store._rows("SELECT answers FROM quiz_attempts WHERE id = ?", (first,))[0][0]
    assert stored == '{"q1": "ü", "q2": ["b"]}'  # sorted keys, readable text
    for who, sentence in ((Learner("g" * 101, "ana"), "the group name is 101 characters long; the limit is 100"),
                          (Learner("g", "l" * 101), "the learner name is 101 characters long; the limit is 100")):
        with pytest.raises(StoreError) as caught:
            store.add_quiz_attempt("q", who, {}, score=0, total=1)
        assert str(caught.value) == sentence
