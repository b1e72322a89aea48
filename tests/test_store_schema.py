"""The store grown up: versioned schema, migrations in place, read-only exports, and one
sentence for every way the file can be wrong (newer, damaged, locked, missing, bad UTF-8)."""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from drillbook import migrations, store as store_module
from drillbook.errors import StoreError
from drillbook.store import Learner, ReplayEvent, Store

from .conftest import FILES


def today_database(path: Path) -> Path:
    """A file exactly as the store wrote it before schema versions (dumped from such a file)."""
    db = sqlite3.connect(path)
    db.executescript((FILES / "store-v0.sql").read_text(encoding="utf-8"))
    db.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def event(run: str = "r1", key: str = "B", **changes: Any) -> ReplayEvent:
    fields: dict[str, Any] = dict(run=run, kind="choice", round_id="alert", value=key, at_round="triage",
                                  elapsed_minutes=3, downtime_minutes=5, sla_breached=False)
    fields.update(changes)
    return ReplayEvent(**fields)


def test_a_new_database_is_at_the_latest_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "new.sqlite3")
    assert store.schema_version == migrations.LATEST == len(migrations.MIGRATIONS)


def test_todays_database_is_migrated_in_place_keeping_every_row(tmp_path: Path) -> None:
    path = today_database(tmp_path / "old.sqlite3")
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (0,)
    store = Store(path)
    assert store.schema_version == migrations.LATEST
    assert [(n.round_id, n.author, n.body) for n in store.notes("bond-failover", group="blue")] == [
        ("alert", "ana", "Check the BMC console first"), ("triage", "bo", "MII down but link up?")]
    progress = store.progress("bond-failover", group="blue", learner="ana")
    assert progress is not None and progress.path_code == "B-A" and progress.total_minutes == 10
    # the new tables work on the migrated file, and reopening it migrates nothing twice
    store.record_event("bond-failover", Learner("blue", "ana"), event())
    store.close()
    again = Store(path)
    assert again.schema_version == migrations.LATEST and again.events_count() == 1


def test_a_database_from_a_newer_drillbook_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    db.close()
    before = digest(path)
    for open_it in (Store, Store.read_only):
        with pytest.raises(StoreError) as caught:
            open_it(path)
        assert str(caught.value) == (
            f"the notes database at {path} was written by a newer drillbook (schema version {migrations.LATEST + 1}, "
            f"this one knows up to {migrations.LATEST}); upgrade drillbook to use it")
    assert digest(path) == before


def test_a_failing_migration_leaves_the_previous_version_whole(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "m.sqlite3", isolation_level=None)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")

    with pytest.raises(sqlite3.OperationalError):
        migrations.migrate(db, "m.sqlite3", migrations.MIGRATIONS + (broken,))
    assert migrations.version(db) == migrations.LATEST  # every good step kept...
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall() == []  # ...the bad one gone


def test_a_further_migration_is_one_function_in_the_list(tmp_path: Path) -> None:
    """How issue 17 adds its tables: append a function; an existing file gets just that step."""
    path = tmp_path / "next.sqlite3"
    Store(path).close()

    def section_notes(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE section_notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")

    db = sqlite3.connect(path, isolation_level=None)
    assert migrations.migrate(db, path, migrations.MIGRATIONS + (section_notes,)) == migrations.LATEST
    assert migrations.version(db) == migrations.LATEST + 1
    db.execute("INSERT INTO section_notes (body) VALUES ('works')")


def test_exports_open_the_file_read_only(tmp_path: Path) -> None:
    path = tmp_path / "class.sqlite3"
    writer = Store(path)
    writer.add_note("s", "r", "kept")
    writer.close()
    path.chmod(0o444)
    reader = Store.read_only(path)
    assert [n.body for n in reader.notes("s")] == ["kept"]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader._db.execute("INSERT INTO notes VALUES (9, 's', 'r', '', '', 'x', '', '')")
    with pytest.raises(StoreError, match="is read-only here"):
        reader.add_note("s", "r", "refused")  # and through the store's own API: one sentence


def test_a_read_only_export_of_todays_file_migrates_a_private_copy(tmp_path: Path) -> None:
    path = today_database(tmp_path / "old.sqlite3")
    before = digest(path)
    reader = Store.read_only(path)
    assert reader.schema_version == migrations.LATEST
    assert len(reader.notes("bond-failover", group="blue")) == 2
    assert reader.run_events("bond-failover", group="blue", learner="ana") == []
    assert digest(path) == before


def test_a_missing_database_is_not_created_by_an_export(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.sqlite3"
    with pytest.raises(StoreError, match=f"no notes database at {path}"):
        Store.read_only(path)
    assert not path.exists()


def test_a_damaged_file_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(b"this is not sqlite\x00" * 500)
    for open_it in (Store, Store.read_only):
        with pytest.raises(StoreError) as caught:
            open_it(path)
        assert str(caught.value) == (f"the notes database at {path} is damaged (file is not a database); "
                                     "move it aside and drillbook starts a new one")


def test_a_locked_database_is_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "busy.sqlite3"
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.2)
    store = Store(path)
    other = sqlite3.connect(path, isolation_level=None)
    sentence = f"the notes database at {path} is locked by another program; try again in a moment"
    other.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        assert Store(path).notes("s") == []  # an up-to-date file opens without the write lock...
        with pytest.raises(StoreError) as writing:  # ...but a write waits, then gives up
            store.add_note("s", "r", "while locked")
    finally:
        other.execute("ROLLBACK")
    other.execute(f"PRAGMA user_version = {migrations.LATEST - 1}")  # as if a migration were due
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as migrating:  # a migration needs the lock too
            Store(path)
    finally:
        other.execute("ROLLBACK")
        other.execute(f"PRAGMA user_version = {migrations.LATEST}")
    assert str(writing.value) == str(migrating.value) == sentence
    store.add_note("s", "r", "after the lock")  # nothing was left broken
    assert [n.body for n in store.notes("s")] == ["after the lock"]


def test_every_connection_waits_the_busy_timeout_for_a_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A class writing at once must queue, not fail: the writable and the read-only connection
    both wait ``BUSY_TIMEOUT`` (10 s, not sqlite3's default 5 s) for another kernel's lock."""
    path = tmp_path / "class.sqlite3"
    assert store_module.BUSY_TIMEOUT == 10.0
    assert Store(path)._db.execute("PRAGMA busy_timeout").fetchone() == (10_000,)
    assert Store.read_only(path)._db.execute("PRAGMA busy_timeout").fetchone() == (10_000,)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.25)
    assert Store(path)._db.execute("PRAGMA busy_timeout").fetchone() == (250,)
    assert Store.read_only(path)._db.execute("PRAGMA busy_timeout").fetchone() == (250,)


def test_rows_that_are_not_utf8_are_read_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "latin1.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO notes (scenario_id, round_id, grp, author, body, created_at, updated_at) "
               "VALUES ('s', 'r', '', 'Jos\xe9', CAST(X'4d4949206475726368e96563' AS TEXT), 't', 't')")
    db.execute("UPDATE notes SET author = CAST(X'4a6f73e9' AS TEXT)")
    db.commit()
    db.close()
    store = Store(path)
    [note] = store.notes("s")
    assert note.body == "MII durch\ufffdec" and note.author == "Jos\ufffd"
    assert store.notices() == [f"2 text value(s) in {path} are not valid UTF-8; "
                               "they are shown with \ufffd in place of the bad bytes"]


def _classmate(path: str, n: int, barrier: Any) -> None:
    barrier.wait()  # thirty kernels open a brand-new file in the same instant
    store = Store(path)
    who = Learner("class", f"learner-{n}")
    for i in range(10):
        store.record_event("bond-failover", who, event(run=f"{n}-{i}", key="ABCD"[i % 4]))
        store.add_quiz_attempt("lacp", who, {"q1": "b", "n": i}, score=i % 3, total=3)
        store.add_note("bond-failover", "alert", f"note {n}-{i}", group="class", author=who.name)
    store.close()


def test_thirty_processes_write_at_once_and_nothing_is_lost_or_doubled(tmp_path: Path) -> None:
    path = tmp_path / "class.sqlite3"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(30)
    workers = [ctx.Process(target=_classmate, args=(str(path), n, barrier)) for n in range(30)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0] * 30
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (migrations.LATEST,)
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT run) FROM choices").fetchone() == (300, 300)
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT learner || answers) FROM quiz_attempts").fetchone() == (300, 300)
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT body) FROM notes").fetchone() == (300, 300)


def test_bad_utf8_is_one_sentence_in_the_cli_and_the_notes_panel(tmp_path: Path, seed: Any) -> None:
    import subprocess
    import sys

    from drillbook.ui.notes import NotesPanel

    from .conftest import REPO

    path = tmp_path / "latin1.sqlite3"
    Store(path).add_note("bond-failover", "alert", "placeholder", group="blue", author="jo")
    db = sqlite3.connect(path)
    db.execute("UPDATE notes SET body = CAST(X'4d49492064e9' AS TEXT)")
    db.commit()
    db.close()
    result = subprocess.run([sys.executable, "-m", "drillbook", "notes", "bond-failover", "--group", "blue",
                             "--db", str(path)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0 and "MII d\ufffd" in result.stdout
    assert result.stderr == (f"drillbook: 1 text value(s) in {path} are not valid UTF-8; "
                             "they are shown with \ufffd in place of the bad bytes\n")
    panel = NotesPanel(seed, Store(path), group="blue")
    assert "MII d\ufffd" in panel.listing.value and "are not valid UTF-8" in panel.listing.value


def test_a_read_only_store_names_its_file_and_serves_other_threads(tmp_path: Path) -> None:
    """Widget callbacks may run on another thread than the one that opened the store: an export
    (read-only, from the file itself or from a migrated in-memory copy) must serve them too."""
    import threading

    current = tmp_path / "current.sqlite3"
    Store(current).add_note("s", "r", "kept")
    old = today_database(tmp_path / "old.sqlite3")
    for path in (current, old):
        reader = Store.read_only(path)
        assert reader.path == path
        found: list[int] = []

        def read(store: Store = reader) -> None:
            found.append(len(store.notes("s")) + len(store.notes("bond-failover", group="blue")))

        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
        assert found == [1 if path == current else 2]


def test_a_read_only_export_of_an_old_file_writes_no_file_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old schema is upgraded in memory, never in a scratch file (not even in the working folder)."""
    folder = tmp_path / "class"
    folder.mkdir()
    path = today_database(folder / "old.sqlite3")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    reader = Store.read_only(path)
    assert reader.schema_version == migrations.LATEST
    assert sorted(p.name for p in folder.iterdir()) == ["old.sqlite3"] and list(work.iterdir()) == []
    with pytest.raises(StoreError, match="read-only"):
        reader.add_note("s", "r", "the private copy is read-only too")


def test_a_path_that_cannot_be_read_is_one_sentence(tmp_path: Path) -> None:
    too_long = tmp_path / ("x" * 300)
    with pytest.raises(StoreError) as caught:
        Store.read_only(too_long)
    assert str(caught.value) == f"cannot read the notes database at {too_long}: File name too long"
    with pytest.raises(StoreError) as folder:  # --db given a folder
        Store.read_only(tmp_path)
    assert str(folder.value) == f"the notes database at {tmp_path} failed: disk I/O error"


@pytest.mark.parametrize("sqlite_says, sentence", [
    ("file is not a database", "is damaged (file is not a database); move it aside and drillbook starts a new one"),
    ("database disk image is malformed",
     "is damaged (database disk image is malformed); move it aside and drillbook starts a new one"),
    ("database is locked", "is locked by another program; try again in a moment"),
    ("database is busy", "is locked by another program; try again in a moment"),
    ("attempt to write a readonly database", "is read-only here, so nothing can be saved to it"),
    ("read-only file system", "is read-only here, so nothing can be saved to it"),
])
def test_each_kind_of_sqlite_failure_is_its_own_sentence(tmp_path: Path, sqlite_says: str, sentence: str) -> None:
    """The words SQLite uses (its error strings, sqlite3.c sqlite3ErrStr) mapped to what the person can do."""
    path = tmp_path / "x.sqlite3"
    assert store_module._explain(path, sqlite3.OperationalError(sqlite_says)) == f"the notes database at {path} {sentence}"


def test_a_file_that_cannot_be_opened_says_so(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    assert store_module._explain(path, sqlite3.OperationalError("unable to open database file")) == (
        f"cannot open the notes database at {path}: unable to open database file")
    assert store_module._explain(path, sqlite3.OperationalError("disk I/O error")) == (
        f"the notes database at {path} failed: disk I/O error")


def _as_a_user_who_cannot_write(read: Any) -> Any:
    """``read()``'s result, computed by a user who really cannot write: root ignores file modes,
    so as root a forked child gives root up first (in-process, so it runs the code under test)."""
    import json
    import os

    if os.getuid() != 0:
        return read()
    nobody = 65534
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.setgroups([])
            os.setgid(nobody)
            os.setuid(nobody)
            result = {"ok": read()}
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            result = {"error": f"{type(exc).__name__}: {exc}"}
        os.write(writer, json.dumps(result).encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    outcome = json.loads(data) if data else {"error": "the child wrote nothing"}
    assert "ok" in outcome, outcome["error"]
    return outcome["ok"]


def test_an_export_from_a_folder_the_reader_cannot_write_is_read_as_immutable(tmp_path: Path) -> None:
    """A 0444 WAL file in a 0555 folder: SQLite cannot create its -shm index there, so the file is
    read as immutable (nobody writes it: there is no -wal), from any thread, and left unchanged."""
    import shutil
    import tempfile
    import threading

    shared = Path(tempfile.mkdtemp(prefix="drillbook-ro-"))  # pytest's own tmp folders are root-only
    try:
        shared.chmod(0o755)
        path = shared / "class.sqlite3"
        writer = Store(path)
        writer.add_note("s", "r", "kept")
        writer.close()
        path.chmod(0o444)
        shared.chmod(0o555)
        before = digest(path)

        def read() -> list[str]:
            store = Store.read_only(path)
            bodies = [n.body for n in store.notes("s")]
            thread = threading.Thread(target=lambda: bodies.extend(n.body for n in store.notes("s")))
            thread.start()
            thread.join()
            return bodies

        # the same reading in this process too (a writable folder), so mutation testing maps this test
        # to the code the child runs
        here = tmp_path / "here.sqlite3"
        Store(here).add_note("s", "r", "kept")
        assert [n.body for n in Store.read_only(here).notes("s")] == ["kept"]
        assert _as_a_user_who_cannot_write(read) == ["kept", "kept"]
        assert sorted(p.name for p in shared.iterdir()) == ["class.sqlite3"] and digest(path) == before
    finally:
        shared.chmod(0o755)
        shutil.rmtree(shared)


class _FakeClock:
    """time.monotonic and time.sleep for the store's open-retry loop: each sleep moves the clock
    one second and is recorded, so the retry policy is checked without waiting."""

    def __init__(self) -> None:
        self.now = 0
        self.slept: list[float] = []

    def monotonic(self) -> int:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += 1


def _locked_first(times: int, message: str = "database is locked") -> Any:
    real = migrations.check_not_newer
    calls = {"n": 0}

    def check_not_newer(db: sqlite3.Connection, path: Any, *rest: Any) -> int:
        calls["n"] += 1
        if calls["n"] <= times:
            raise sqlite3.OperationalError(message)
        return real(db, path, *rest)

    return check_not_newer


def test_opening_retries_a_locked_setup_with_short_random_pauses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite does not wait by itself on some setup steps (a class opening a new file at once):
    a 'locked' there is retried after 10-100 ms until BUSY_TIMEOUT, then it is one sentence."""
    clock = _FakeClock()
    monkeypatch.setattr(store_module, "time", clock)
    monkeypatch.setattr(migrations, "check_not_newer", _locked_first(20))
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 100)
    Store(tmp_path / "busy.sqlite3").add_note("s", "r", "opened after 20 retries")
    assert len(clock.slept) == 20 and all(0.01 <= s <= 0.1 for s in clock.slept)

    clock = _FakeClock()
    monkeypatch.setattr(store_module, "time", clock)
    monkeypatch.setattr(migrations, "check_not_newer", _locked_first(1000))
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 2)
    with pytest.raises(StoreError) as gave_up:
        Store(tmp_path / "busy.sqlite3")
    assert str(gave_up.value) == (f"the notes database at {tmp_path / 'busy.sqlite3'} is locked by another program; "
                                  "try again in a moment")
    assert len(clock.slept) == 3  # tried at 0, 1 and 2 seconds (the deadline itself still counts), gave up at 3


def test_opening_does_not_retry_other_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _FakeClock()
    monkeypatch.setattr(store_module, "time", clock)
    monkeypatch.setattr(migrations, "check_not_newer", _locked_first(1, "disk I/O error"))
    with pytest.raises(StoreError) as caught:
        Store(tmp_path / "x.sqlite3")
    assert str(caught.value) == f"the notes database at {tmp_path / 'x.sqlite3'} failed: disk I/O error"
    assert clock.slept == []
