"""Notes and progress that outlive a browser tab, in one SQLite file.

Voila gives every page load a fresh kernel, so anything a learner or a study group writes must
be on disk the moment it is saved: each write is its own committed transaction. The database is
``$DRILLBOOK_DB`` if set, else ``~/.local/share/drillbook/drillbook.sqlite3``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sqlite3
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import urllib.parse
from typing import Any

from . import migrations
from .errors import StoreError

#: Longest note body accepted; a study group's paragraph, not a file upload.
MAX_NOTE = 20_000
#: Seconds a write waits for another kernel's write to finish before giving up.
BUSY_TIMEOUT = 10.0
#: Longest reasoning line stored with a choice: one line, not an essay.
MAX_REASONING = 500


@dataclass(frozen=True)
class Note:
    id: int
    scenario_id: str
    round_id: str
    group: str
    author: str
    body: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Progress:
    group: str
    learner: str
    scenario_id: str
    path_code: str
    finished: bool
    total_minutes: int
    updated_at: str


@dataclass(frozen=True)
class Learner:
    """Who is playing. A learner without a name is one anonymous learner per kernel
    (``session``), never merged with another anonymous learner."""

    group: str = ""
    name: str = ""
    session: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def label(self) -> str:
        return self.name or f"anonymous {self.session[:4]}"


@dataclass(frozen=True)
class ReplayEvent:
    """One event of a run as the replay saw it, with the state it left behind."""

    run: str
    kind: str  #: choice, action (remediation), console (minutes at the console) or close
    round_id: str
    value: str  #: the choice key, the action id or the console minutes
    at_round: str  #: the round shown afterwards; '' once the incident is closed
    elapsed_minutes: int
    downtime_minutes: int
    sla_breached: bool
    replayed: bool = False
    reasoning: str = ""


@dataclass(frozen=True)
class StoredEvent(ReplayEvent):
    id: int = 0
    scenario_id: str = ""
    learner: Learner = field(default_factory=Learner)
    created_at: str = ""

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> "StoredEvent":
        (id_, scenario_id, grp, learner, session, run, kind, round_id, value, replayed, at_round, elapsed,
         downtime, breached, reasoning, created_at) = row
        return cls(run=run, kind=kind, round_id=round_id, value=value, at_round=at_round, elapsed_minutes=elapsed,
                   downtime_minutes=downtime, sla_breached=bool(breached), replayed=bool(replayed),
                   reasoning=reasoning, id=id_, scenario_id=scenario_id,
                   learner=Learner(grp, learner, session), created_at=created_at)

    @property
    def finished(self) -> bool:
        return self.at_round == ""


@dataclass(frozen=True)
class RoundCounts:
    first: dict[str, int]  #: action key -> learners whose first click in the round it was
    all: dict[str, int]  #: action key -> clicks


@dataclass(frozen=True)
class QuizAttempt:
    quiz_id: str
    answers: dict[str, Any]
    score: int
    total: int
    created_at: str


#: SQL for "which learner": the name, or the kernel session of a learner without one.
_WHO = "CASE WHEN learner = '' THEN 'anonymous:' || session ELSE learner END"


def default_path() -> Path:
    env = os.environ.get("DRILLBOOK_DB")
    if env:
        return Path(env)
    return Path.home() / ".local" / "share" / "drillbook" / "drillbook.sqlite3"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _explain(path: Path, exc: sqlite3.Error) -> str:
    """One sentence for what went wrong with the file, in the words of the person who has it."""
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return f"the notes database at {path} is damaged ({text}); move it aside and drillbook starts a new one"
    if "locked" in text or "busy" in text:
        return f"the notes database at {path} is locked by another program; try again in a moment"
    if "readonly" in text or "read-only" in text:
        return f"the notes database at {path} is read-only here, so nothing can be saved to it"
    if "unable to open" in text:
        return f"cannot open the notes database at {path}: {text}"
    return f"the notes database at {path} failed: {text}"


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """``mode=ro``. A WAL database needs its ``-shm`` index even to be read; in a folder the
    reader cannot write, SQLite cannot create it. With no ``-wal`` file every committed row is
    in the main file and nobody is writing, so the file is then read as ``immutable``."""
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    try:
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.Error:
        db.close()
        if Path(f"{path}-wal").exists():
            raise
    return sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False)


def _clean(value: str, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise StoreError(f"{what} must be text")
    value = value.replace("\x00", "").strip()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # e.g. a command-line argument that was not UTF-8 (surrogate escapes)
        raise StoreError(f"{what} is not valid UTF-8 text") from None
    if len(value) > limit:
        raise StoreError(f"{what} is {len(value):,} characters long; the limit is {limit:,}")
    return value


class Store:
    """A connection to the notes/progress database; safe to share within one kernel.

    ``Store(path)`` creates the file if needed and migrates it to the latest schema;
    :meth:`read_only` opens an existing file for exports without ever writing to it.
    Every failure is a :class:`StoreError` whose message is one sentence naming the file.
    """

    def __init__(self, path: str | Path | None = None, *, _db: sqlite3.Connection | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        #: Text values that were not valid UTF-8, read so far (shown with U+FFFD in their place).
        self.undecodable = 0
        if _db is not None:
            self._db = _db
        else:
            self._db = self._open_writable()
        self._db.text_factory = self._decode

    def _open_writable(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the notes database at {self.path}: {exc}") from None
        # Setting up a file others open at the same moment (a class arriving at once) can meet
        # SQLITE_BUSY where SQLite does not wait (switching a new file to WAL, a reader meeting
        # a half-done switch): those steps are retried until the busy timeout, then reported.
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                migrations.check_not_newer(db, self.path)
                db.execute("PRAGMA journal_mode=WAL")
                migrations.migrate(db, self.path)
                return db
            except StoreError:
                db.close()
                raise
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    db.close()
                    raise StoreError(_explain(self.path, exc)) from None
                time.sleep(random.uniform(0.01, 0.1))
            except sqlite3.Error as exc:
                db.close()
                raise StoreError(_explain(self.path, exc)) from None

    @classmethod
    def read_only(cls, path: str | Path | None = None) -> "Store":
        """Open an existing database without write access (``mode=ro``): an instructor can
        export from a file they may not write. An older schema is upgraded in a private
        in-memory copy, so the file itself is never changed."""
        path = Path(path) if path is not None else default_path()
        try:
            path.stat()
        except FileNotFoundError:
            raise StoreError(f"no notes database at {path} (nobody has saved anything there yet)") from None
        except OSError as exc:
            raise StoreError(f"cannot read the notes database at {path}: {exc.strerror or exc}") from None
        try:
            db = _connect_read_only(path)
        except sqlite3.Error as exc:
            raise StoreError(_explain(path, exc)) from None
        try:
            if migrations.check_not_newer(db, path) < migrations.LATEST:
                memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
                db.backup(memory)
                db.close()
                db = memory
                migrations.migrate(db, path)
                db.execute("PRAGMA query_only = ON")
        except StoreError:
            db.close()
            raise
        except sqlite3.Error as exc:
            db.close()
            raise StoreError(_explain(path, exc)) from None
        return cls(path, _db=db)

    def _decode(self, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.undecodable += 1
            return raw.decode("utf-8", errors="replace")

    def notices(self) -> list[str]:
        """Sentences about what was read but not quite right (for the page and the CLI)."""
        if not self.undecodable:
            return []
        return [f"{self.undecodable} text value(s) in {self.path} are not valid UTF-8; "
                "they are shown with \N{REPLACEMENT CHARACTER} in place of the bad bytes"]

    @property
    def schema_version(self) -> int:
        return migrations.version(self._db)

    def close(self) -> None:
        self._db.close()

    def _run(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise StoreError(_explain(self.path, exc)) from None

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(_explain(self.path, exc)) from None

    # -- notes -----------------------------------------------------------------------------
    def add_note(self, scenario_id: str, round_id: str, body: str, *, group: str = "", author: str = "") -> Note:
        body = _clean(body, "a note", MAX_NOTE)
        if not body:
            raise StoreError("an empty note was not saved")
        now = _now()
        cur = self._run(
            "INSERT INTO notes (scenario_id, round_id, grp, author, body, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
            (scenario_id, round_id, _clean(group, "the group name", 100), _clean(author, "the author name", 100), body, now, now),
        )
        return self.note(int(cur.lastrowid or 0))

    def note(self, note_id: int) -> Note:
        rows = self._rows("SELECT * FROM notes WHERE id = ?", (note_id,))
        if not rows:
            raise StoreError(f"there is no note {note_id}")
        return Note(*rows[0])

    def update_note(self, note_id: int, body: str) -> Note:
        body = _clean(body, "a note", MAX_NOTE)
        if not body:
            raise StoreError("a note cannot be emptied; delete it instead")
        self.note(note_id)
        self._run("UPDATE notes SET body = ?, updated_at = ? WHERE id = ?", (body, _now(), note_id))
        return self.note(note_id)

    def delete_note(self, note_id: int) -> None:
        self.note(note_id)
        self._run("DELETE FROM notes WHERE id = ?", (note_id,))

    def notes(self, scenario_id: str, round_id: str | None = None, *, group: str = "") -> list[Note]:
        sql = "SELECT * FROM notes WHERE scenario_id = ? AND grp = ?"
        params: tuple[object, ...] = (scenario_id, _clean(group, "the group name", 100))
        if round_id is not None:
            sql += " AND round_id = ?"
            params += (round_id,)
        return [Note(*row) for row in self._rows(sql + " ORDER BY id", params)]

    # -- progress --------------------------------------------------------------------------
    def save_progress(self, scenario_id: str, path_code: str, *, finished: bool, total_minutes: int,
                      group: str = "", learner: str = "") -> None:
        self._run(
            "INSERT INTO progress VALUES (?,?,?,?,?,?,?) ON CONFLICT (grp, learner, scenario_id) DO UPDATE SET "
            "path_code = excluded.path_code, finished = excluded.finished, "
            "total_minutes = excluded.total_minutes, updated_at = excluded.updated_at",
            (_clean(group, "the group name", 100), _clean(learner, "the learner name", 100), scenario_id, path_code,
             int(finished), total_minutes, _now()),
        )

    def progress(self, scenario_id: str, *, group: str = "", learner: str = "") -> Progress | None:
        rows = self._rows(
            "SELECT * FROM progress WHERE grp = ? AND learner = ? AND scenario_id = ?",
            (_clean(group, "the group name", 100), _clean(learner, "the learner name", 100), scenario_id)
        )
        if not rows:
            return None
        row = rows[0]
        return Progress(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6])

    # -- choices (the decision log and the class pulse) ------------------------------------
    def record_event(self, scenario_id: str, who: Learner, event: ReplayEvent) -> int:
        """Store one replay event and return its id (to attach reasoning to it later)."""
        cur = self._run(
            "INSERT INTO choices (scenario_id, grp, learner, session, run, kind, round_id, value, replayed, "
            "at_round, elapsed_minutes, downtime_minutes, sla_breached, reasoning, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (scenario_id, _clean(who.group, "the group name", 100), _clean(who.name, "the learner name", 100),
             who.session, event.run, event.kind, event.round_id, event.value,
             int(event.replayed), event.at_round, event.elapsed_minutes, event.downtime_minutes,
             int(event.sla_breached), _clean(event.reasoning, "the reasoning", MAX_REASONING), _now()),
        )
        return int(cur.lastrowid or 0)

    def set_reasoning(self, event_id: int, text: str) -> None:
        """Attach (or replace) the one line of reasoning written right after a choice."""
        text = " ".join(_clean(text, "the reasoning", MAX_REASONING).split())
        if not self._run("UPDATE choices SET reasoning = ? WHERE id = ?", (text, event_id)).rowcount:
            raise StoreError(f"there is no choice {event_id}")

    def run_events(self, scenario_id: str, *, group: str, learner: str) -> list[StoredEvent]:
        """The events of a named learner's run to report on: the latest finished run, else the
        latest one."""
        runs = self._rows(
            "SELECT run FROM choices WHERE scenario_id = ? AND grp = ? AND learner = ? "
            "ORDER BY at_round = '' DESC, id DESC LIMIT 1", (scenario_id, group, learner))
        if not runs:
            return []
        return self._events("scenario_id = ? AND grp = ? AND learner = ? AND run = ? ORDER BY id",
                            (scenario_id, group, learner, runs[0][0]))

    def round_counts(self, scenario_id: str, group: str, round_id: str) -> RoundCounts:
        """How many of the group took each action in a round: each learner's first click, and
        every click. Replayed events (a replay code, a resume) are not clicks and do not count."""
        base = ("WITH c AS (SELECT id, value, " + _WHO + " AS who FROM choices WHERE scenario_id = ? AND grp = ? "
                "AND round_id = ? AND kind = 'choice' AND replayed = 0) ")
        params = (scenario_id, group, round_id)
        every = self._rows(base + "SELECT value, COUNT(*) FROM c GROUP BY value", params)
        first = self._rows(base + "SELECT value, COUNT(*) FROM c WHERE id IN "
                                  "(SELECT MIN(id) FROM c GROUP BY who) GROUP BY value", params)
        return RoundCounts(first=dict(first), all=dict(every))

    def positions(self, scenario_id: str, group: str) -> list[StoredEvent]:
        """Each learner's latest event in the group: where they are now."""
        return self._events("id IN (SELECT MAX(id) FROM choices WHERE scenario_id = ? AND grp = ? "
                            "GROUP BY " + _WHO + ") ORDER BY id", (scenario_id, group))

    def finishes(self, scenario_id: str, group: str) -> list[StoredEvent]:
        """Each learner's latest finish (the incident closed by a click, not by opening a replay code)."""
        return self._events("id IN (SELECT MAX(id) FROM choices WHERE scenario_id = ? AND grp = ? "
                            "AND at_round = '' AND replayed = 0 GROUP BY " + _WHO + ") ORDER BY id",
                            (scenario_id, group))

    def _events(self, where: str, params: tuple[object, ...]) -> list[StoredEvent]:
        return [StoredEvent.from_row(row) for row in self._rows("SELECT * FROM choices WHERE " + where, params)]

    def events_count(self) -> int:
        return int(self._rows("SELECT COUNT(*) FROM choices")[0][0])

    # -- quizzes and pages visited (a learner's own progress) -----------------------------
    def add_quiz_attempt(self, quiz_id: str, who: Learner, answers: dict[str, Any], *, score: int, total: int) -> int:
        cur = self._run(
            "INSERT INTO quiz_attempts (quiz_id, grp, learner, session, answers, score, total, created_at) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (quiz_id, _clean(who.group, "the group name", 100), _clean(who.name, "the learner name", 100),
             who.session, json.dumps(answers, ensure_ascii=False, sort_keys=True),
             score, total, _now()),
        )
        return int(cur.lastrowid or 0)

    def quiz_attempts(self, *, group: str, learner: str, quiz_id: str | None = None) -> list[QuizAttempt]:
        sql = "SELECT quiz_id, answers, score, total, created_at FROM quiz_attempts WHERE grp = ? AND learner = ?"
        params: tuple[object, ...] = (group, learner)
        if quiz_id is not None:
            sql += " AND quiz_id = ?"
            params += (quiz_id,)
        return [QuizAttempt(q, json.loads(a), s, t, c) for q, a, s, t, c in self._rows(sql + " ORDER BY id", params)]

    def record_visit(self, page: str, who: Learner) -> None:
        now = _now()
        self._run("INSERT INTO visits VALUES (?,?,?,?,?,1) ON CONFLICT (grp, learner, page) DO UPDATE SET "
                  "last_at = excluded.last_at, count = count + 1",
                  (_clean(who.group, "the group name", 100), _clean(who.name, "the learner name", 100), page, now, now))

    def visits(self, *, group: str, learner: str) -> dict[str, int]:
        """Pages this learner opened, with how often."""
        return dict(self._rows("SELECT page, count FROM visits WHERE grp = ? AND learner = ? ORDER BY first_at",
                               (group, learner)))

    def finished_runs(self, *, group: str, learner: str) -> dict[str, int]:
        """Best total minutes of every scenario this learner finished."""
        return dict(self._rows("SELECT scenario_id, MIN(elapsed_minutes) FROM choices WHERE grp = ? AND learner = ? "
                               "AND at_round = '' AND replayed = 0 GROUP BY scenario_id", (group, learner)))

    def group_progress(self, scenario_id: str, *, group: str = "") -> list[Progress]:
        """Every learner's latest run of a scenario in one group, best first."""
        rows = self._rows(
            "SELECT * FROM progress WHERE grp = ? AND scenario_id = ? ORDER BY finished DESC, total_minutes, learner",
            (_clean(group, "the group name", 100), scenario_id),
        )
        return [Progress(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6]) for r in rows]

    # -- a group's postmortem form ---------------------------------------------------------
    def save_postmortem_field(self, scenario_id: str, field: str, body: str, *, group: str = "") -> None:
        """Store one field of a group's postmortem as typed (the last writer's words win)."""
        self._run(
            "INSERT INTO group_postmortems VALUES (?,?,?,?,?) ON CONFLICT (grp, scenario_id, field) DO UPDATE "
            "SET body = excluded.body, updated_at = excluded.updated_at",
            (_clean(group, "the group name", 100), scenario_id, _clean(field, "a postmortem field name", 40),
             _clean(body, "a postmortem field", MAX_NOTE), _now()),
        )

    def postmortem(self, scenario_id: str, *, group: str = "") -> dict[str, str]:
        """A group's postmortem form, field name -> text (missing fields were never typed)."""
        rows = self._rows("SELECT field, body FROM group_postmortems WHERE grp = ? AND scenario_id = ?",
                          (_clean(group, "the group name", 100), scenario_id))
        return {field: body for field, body in rows}


def export_markdown(notes: list[Note], round_titles: dict[str, str], title: str) -> str:
    """Notes grouped by round in scenario order, as a Markdown document a group can share."""
    lines = [f"# Notes: {title}", ""]
    order = list(round_titles)
    for round_id in order + sorted({n.round_id for n in notes} - set(order)):
        in_round = [n for n in notes if n.round_id == round_id]
        if not in_round:
            continue
        lines += [f"## {round_titles.get(round_id, round_id)}", ""]
        for note in in_round:
            who = f" ({note.author})" if note.author else ""
            lines += [f"- {note.updated_at}{who}: " + note.body.replace("\n", "\n  "), ""]
    return "\n".join(lines).rstrip() + "\n"


def export_json(notes: list[Note]) -> str:
    return json.dumps([asdict(n) for n in notes], indent=2, ensure_ascii=False)
