"""The store's schema, as an ordered list of migrations numbered by ``PRAGMA user_version``.

A database records how many migrations it has had; opening it runs the missing ones in order,
each in its own ``BEGIN IMMEDIATE`` transaction together with the version bump, so a crash or
a second kernel opening the file at the same moment never leaves a half-migrated schema.
A file from a newer drillbook (a higher version than this list knows) is refused untouched.

To change the schema, append one function to :data:`MIGRATIONS`; never edit one that shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from .errors import StoreError

Migration = Callable[[sqlite3.Connection], None]


def _v1_notes_and_progress(db: sqlite3.Connection) -> None:
    """The schema drillbook used before it had versions. ``IF NOT EXISTS`` because such a file
    (version 0) already has these tables: for it this step only stamps the version."""
    db.execute("""CREATE TABLE IF NOT EXISTS notes (
        id INTEGER PRIMARY KEY,
        scenario_id TEXT NOT NULL,
        round_id TEXT NOT NULL,
        grp TEXT NOT NULL,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX IF NOT EXISTS notes_by_round ON notes (grp, scenario_id, round_id)")
    db.execute("""CREATE TABLE IF NOT EXISTS progress (
        grp TEXT NOT NULL,
        learner TEXT NOT NULL,
        scenario_id TEXT NOT NULL,
        path_code TEXT NOT NULL,
        finished INTEGER NOT NULL,
        total_minutes INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (grp, learner, scenario_id))""")


def _v2_choices_quizzes_visits(db: sqlite3.Connection) -> None:
    """Every replay event with who made it (the class pulse and the postmortem read these),
    quiz attempts with their answers, and the pages a learner has opened."""
    # ``session`` is one kernel: learners without a name are told apart by it, never merged.
    # ``run`` is one play-through (a restart starts another). ``replayed`` marks events re-taken
    # by a replay code or a resume rather than clicked, so the class counts each click once.
    # ``at_round`` is the round on screen after the event ('' once the incident is closed).
    db.execute("""CREATE TABLE choices (
        id INTEGER PRIMARY KEY,
        scenario_id TEXT NOT NULL,
        grp TEXT NOT NULL,
        learner TEXT NOT NULL,
        session TEXT NOT NULL,
        run TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('choice', 'action', 'console', 'close')),
        round_id TEXT NOT NULL,
        value TEXT NOT NULL,
        replayed INTEGER NOT NULL,
        at_round TEXT NOT NULL,
        elapsed_minutes INTEGER NOT NULL,
        downtime_minutes INTEGER NOT NULL,
        sla_breached INTEGER NOT NULL,
        reasoning TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX choices_by_round ON choices (grp, scenario_id, round_id)")
    db.execute("CREATE INDEX choices_by_learner ON choices (grp, learner, scenario_id, run)")
    db.execute("""CREATE TABLE quiz_attempts (
        id INTEGER PRIMARY KEY,
        quiz_id TEXT NOT NULL,
        grp TEXT NOT NULL,
        learner TEXT NOT NULL,
        session TEXT NOT NULL,
        answers TEXT NOT NULL,
        score INTEGER NOT NULL,
        total INTEGER NOT NULL,
        created_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX quiz_attempts_by_learner ON quiz_attempts (grp, learner, quiz_id)")
    db.execute("""CREATE TABLE visits (
        grp TEXT NOT NULL,
        learner TEXT NOT NULL,
        page TEXT NOT NULL,
        first_at TEXT NOT NULL,
        last_at TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (grp, learner, page))""")


def _v3_group_postmortems(db: sqlite3.Connection) -> None:
    """The debrief's group postmortem form, one row per field, saved as a group types it."""
    db.execute("""CREATE TABLE group_postmortems (
        grp TEXT NOT NULL,
        scenario_id TEXT NOT NULL,
        field TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (grp, scenario_id, field))""")


#: Migration ``n`` (1-based) brings a database from version ``n - 1`` to ``n``.
MIGRATIONS: tuple[Migration, ...] = (
    _v1_notes_and_progress,
    _v2_choices_quizzes_visits,
    _v3_group_postmortems,
)
LATEST = len(MIGRATIONS)


def version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def check_not_newer(db: sqlite3.Connection, path: Path | str, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """The file's version, refusing one written by a newer drillbook before anything touches it."""
    found = version(db)
    if found > len(migrations):
        raise StoreError(
            f"the notes database at {path} was written by a newer drillbook (schema version {found}, "
            f"this one knows up to {len(migrations)}); upgrade drillbook to use it"
        )
    return found


def migrate(db: sqlite3.Connection, path: Path | str, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Bring ``db`` (autocommit mode) up to date and return the version it had before."""
    before = check_not_newer(db, path, migrations)
    if before == len(migrations):  # the common case: no write lock taken just to open a file
        return before
    while True:
        db.execute("BEGIN IMMEDIATE")  # one writer at a time; re-read the version under the lock
        try:
            current = check_not_newer(db, path, migrations)
            if current == len(migrations):
                db.execute("COMMIT")
                return before
            migrations[current](db)
            db.execute(f"PRAGMA user_version = {current + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
