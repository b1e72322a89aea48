"""Notes and progress that outlive a browser tab, in one SQLite file.

Voila gives every page load a fresh kernel, so anything a learner or a study group writes must
be on disk the moment it is saved: each write is its own committed transaction. The database is
``$DRILLBOOK_DB`` if set, else ``~/.local/share/drillbook/drillbook.sqlite3``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import StoreError

#: Longest note body accepted; a study group's paragraph, not a file upload.
MAX_NOTE = 20_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY,
    scenario_id TEXT NOT NULL,
    round_id TEXT NOT NULL,
    grp TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_by_round ON notes (grp, scenario_id, round_id);
CREATE TABLE IF NOT EXISTS progress (
    grp TEXT NOT NULL,
    learner TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    path_code TEXT NOT NULL,
    finished INTEGER NOT NULL,
    total_minutes INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (grp, learner, scenario_id)
);
"""


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


def default_path() -> Path:
    env = os.environ.get("DRILLBOOK_DB")
    if env:
        return Path(env)
    return Path.home() / ".local" / "share" / "drillbook" / "drillbook.sqlite3"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


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
    """A connection to the notes/progress database; safe to share within one kernel."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the notes database at {self.path}: {exc}") from None

    def close(self) -> None:
        self._db.close()

    def _run(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise StoreError(f"the notes database at {self.path} failed: {exc}") from None

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
        row = self._run("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            raise StoreError(f"there is no note {note_id}")
        return Note(*row)

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
        return [Note(*row) for row in self._run(sql + " ORDER BY id", params).fetchall()]

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
        row = self._run(
            "SELECT * FROM progress WHERE grp = ? AND learner = ? AND scenario_id = ?",
            (_clean(group, "the group name", 100), _clean(learner, "the learner name", 100), scenario_id)
        ).fetchone()
        if row is None:
            return None
        return Progress(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6])


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
