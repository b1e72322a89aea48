"""A study group's blameless postmortem: the form's fields, and the Markdown a group hands on.

The debrief's form, the export button and ``drillbook export`` all render through
``render_markdown`` here, so a postmortem reads the same wherever it is taken from. Pure: it
is given the form, the group's runs and notes; it opens nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .model import Scenario
from .store import Note, Progress, Store
from .topics import NotesTopic, annotated_pages


@dataclass(frozen=True)
class Field:
    """One free-text part of the form."""

    key: str  #: the store's field name
    label: str  #: the form's label and the export's heading
    hint: str  #: the placeholder that says what belongs here
    lines: int  #: 1 for a one-line field


FIELDS: tuple[Field, ...] = (
    Field("title", "Title", "e.g. Bond failover silently broken by a missed NIC firmware update", 1),
    Field("summary", "Summary", "What happened, the impact and how it ended, in three sentences.", 4),
    Field("timeline", "Timeline", "One line per event: 03:12 alert fires; 03:15 checked /proc/net/bonding/bond0 ...", 6),
    Field("root_cause", "Root cause", "How did the system let this happen? Blameless: systems, not people.", 4),
    Field("went_well", "What went well", "What helped you find and fix it?", 3),
    Field("went_badly", "What went badly", "What cost time or made it worse?", 3),
)
#: The store's field name for the follow-ups, kept as JSON: ``[{"action": ..., "owner": ...}]``.
FOLLOW_UPS = "follow_ups"


@dataclass(frozen=True)
class FollowUp:
    action: str
    owner: str


def parse_follow_ups(raw: str | None) -> list[FollowUp]:
    """The follow-ups stored as JSON; anything unreadable is no follow-up rather than an error,
    because a half-written row must never stop the page from opening."""
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    return [FollowUp(str(i.get("action", "")).strip(), str(i.get("owner", "")).strip())
            for i in items if isinstance(i, dict)]


def dump_follow_ups(items: Sequence[FollowUp]) -> str:
    return json.dumps([{"action": f.action, "owner": f.owner} for f in items if f.action or f.owner],
                      ensure_ascii=False)


def _block(text: str) -> list[str]:
    return [text.strip() or "_(not written yet)_", ""]


def _note_line(note: Note) -> str:
    who = f" ({note.author})" if note.author else ""
    return f"- {note.updated_at}{who}: " + note.body.replace("\n", "\n  ")


def render_markdown(*, incident: str, group: str, form: Mapping[str, str], runs: Sequence[Progress],
                    notes: Sequence[tuple[str, Sequence[tuple[str, Sequence[Note]]]]], date: str) -> str:
    """The group's postmortem as Markdown.

    ``notes`` is ``[(page title, [(part heading, notes), ...]), ...]``: the replay's rounds and
    every annotated course section, each under the title a reader of the course knows it by.
    """
    title = form.get("title", "").strip() or f"Postmortem: {incident}"
    lines = [f"# {title}", "", f"- Incident: {incident}", f"- Group: {group or '(no group)'}", f"- Date: {date}", ""]
    for field in FIELDS[1:]:
        lines += [f"## {field.label}", ""] + _block(form.get(field.key, ""))
    lines += ["## Follow-ups", ""]
    follow_ups = parse_follow_ups(form.get(FOLLOW_UPS))
    lines += [f"- [ ] {f.action or '(no action)'} (owner: {f.owner or 'unassigned'})" for f in follow_ups] or [
        "_(none yet)_"]
    lines += ["", "## The group's replay runs", ""]
    if runs:
        lines += ["| Learner | Path | Minutes | Finished |", "|---|---|---|---|"]
        lines += [f"| {r.learner or 'anonymous'} | {r.path_code} | {r.total_minutes} | {'yes' if r.finished else 'no'} |"
                  for r in runs]
    else:
        lines.append("_(no saved runs for this group)_")
    lines.append("")
    written = [(page, parts) for page, parts in notes if any(n for _, n in parts)]
    lines += ["## The group's notes", ""]
    if not written:
        lines += ["_(no notes yet)_", ""]
    for page, parts in written:
        lines += [f"### {page}", ""]
        for heading, in_part in parts:
            if in_part:
                lines += [f"#### {heading}", ""] + [_note_line(n) for n in in_part] + [""]
    return "\n".join(lines).rstrip() + "\n"


def group_notes(scenario: Scenario, store: Store, group: str) -> list[tuple[str, list[tuple[str, list[Note]]]]]:
    """The group's notes on the replay and on every course page, grouped by page and part."""
    result = []
    for topic in [NotesTopic.of_scenario(scenario), *annotated_pages()]:
        notes = store.notes(topic.page, group=group)
        parts = [(heading, [n for n in notes if n.round_id == anchor]) for anchor, heading in topic.headings.items()]
        gone = sorted({n.round_id for n in notes} - set(topic.headings))
        parts += [(f"Removed section ({anchor})", [n for n in notes if n.round_id == anchor]) for anchor in gone]
        result.append((topic.title, parts))
    return result


def postmortem_markdown(scenario: Scenario, store: Store, group: str) -> str:
    """The group's postmortem, as the form's button and ``drillbook export`` write it."""
    return render_markdown(incident=scenario.title, group=group, form=store.postmortem(scenario.id, group=group),
                           runs=store.group_progress(scenario.id, group=group),
                           notes=group_notes(scenario, store, group),
                           date=dt.date.today().isoformat())
