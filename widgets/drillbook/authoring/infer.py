"""What a Markdown incident's wording implies: verdicts, routes, minutes, the clock, the damage.

Each answer is a :class:`Guess` that knows whether the document *states* it ("10 minutes",
"Proceed to Round 2", the "(recommended)" marker) or the importer *guessed* it; the emitter turns
every guess into a ``# TODO: check`` comment so an author reviews exactly those lines. The cue
words live in ``wording.yaml``, beside this module.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .document import ChoiceDraft, Document, MarkdownError, RoundDraft, Text

_MINUTES = re.compile(r"(\d+)\s*(\+?)\s*(?:minutes?|mins?)\b", re.I)
_PROCEED = re.compile(r"\b(?:proceed|continue|go|move on)\s+to\s+round\s+(\d+)", re.I)
_EVENTUALLY = re.compile(r"\b(?:eventually\s+)?leads?\s+to\s+round\s+(\d+)", re.I)
_SLA = re.compile(r"(\d+)\s*minutes?\s+(?:before|until|to)\s+(?:the\s+)?SLA", re.I)
_AGO = re.compile(r"(\d+)\s*minutes?\s+ago", re.I)
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: A Monday; the alert's date is the first day of that week with the setup's weekday.
_BASE_MONDAY = dt.date(2025, 11, 17)


@dataclass(frozen=True)
class Guess:
    value: Any
    note: str = ""
    stated: bool = False  #: True when the document says so; False marks a guess to check

    def comment(self) -> str:
        if self.stated:
            return f"# from the text: {self.note}" if self.note else ""
        return f"# TODO: check ({self.note})"


@lru_cache(maxsize=1)
def wording() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(Path(__file__).with_name("wording.yaml").read_text(encoding="utf-8"))
    return data


def slug(text: str, fallback: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48].strip("-")
    return value if value and value[0].isalnum() else fallback


def round_ids(doc: Document) -> list[str]:
    """One id per round from its title (``Alert Fires`` -> ``alert-fires``), unique."""
    ids: list[str] = []
    for rnd in doc.rounds:
        base = slug(rnd.title, f"round-{rnd.number}")
        if base in ("stay", "end"):
            base = f"{base}-round"
        candidate, n = base, 2
        while candidate in ids:
            candidate, n = f"{base}-{n}", n + 1
        ids.append(candidate)
    return ids


def recommended(doc: Document, rnd: RoundDraft) -> tuple[ChoiceDraft, Guess]:
    """The round's best choice: the one marked "(recommended)", else the only one whose result
    proceeds to another round. A round with neither leads nowhere."""
    marked = [c for c in rnd.choices if c.marked_recommended]
    if len(marked) > 1:
        raise MarkdownError(doc.path, marked[1].heading_line or marked[1].line,
                            f"Round {rnd.number} marks both {marked[0].key} and {marked[1].key} as recommended; mark one")
    if marked:
        return marked[0], Guess("recommended", stated=True)
    proceeding = [c for c in rnd.choices if c.result and _PROCEED.search(c.result.value)]
    if len(proceeding) == 1:
        return proceeding[0], Guess("recommended", "no choice is marked (recommended); this one proceeds to the next round")
    why = "no choice is marked (recommended) and " + (
        "no result says 'Proceed to Round N'" if not proceeding else
        f"{len(proceeding)} results proceed ({', '.join(c.key for c in proceeding)})")
    raise MarkdownError(doc.path, rnd.line, f"Round {rnd.number} ({rnd.title}) leads nowhere: {why}")


def verdict(result: str) -> Guess:
    for group in wording()["verdicts"]:
        for cue in group["cues"]:
            if re.search(rf"(?<![\w-]){re.escape(cue)}(?![\w-])", result, re.I):
                return Guess(group["verdict"], f"the result says '{cue}'")
    return Guess(wording()["default_verdict"], "no wording cue found")


def route(doc: Document, rnd: RoundDraft, choice: ChoiceDraft, is_best: bool, ids: list[str]) -> Guess:
    """Where a choice leads: a round id, ``stay`` or ``end``."""
    assert choice.result is not None
    text, line = choice.result.value, choice.result.line
    proceed = _PROCEED.search(text)
    if proceed:
        return Guess(_target(doc, rnd, choice, int(proceed[1]), line, ids), f"'{proceed[0]}'", stated=True)
    if is_best:
        if rnd.number < len(doc.rounds):
            return Guess(ids[rnd.number], "the recommended choice moves on to the next round")
        return Guess("end", "the recommended choice of the last round ends the replay")
    eventually = _EVENTUALLY.search(text)
    if eventually:
        return Guess("stay", f"'{eventually[0]}': the learner still has to take the recommended step")
    return Guess("stay", "a wrong choice keeps the learner in the round")


def _target(doc: Document, rnd: RoundDraft, choice: ChoiceDraft, number: int, line: int, ids: list[str]) -> str:
    where = f"choice {choice.key} of Round {rnd.number}"
    if not 1 <= number <= len(doc.rounds):
        raise MarkdownError(doc.path, line, f"{where} proceeds to Round {number}, but the document has rounds 1 to {len(doc.rounds)}")
    if number <= rnd.number:
        raise MarkdownError(doc.path, line, f"{where} leads back to Round {number}; rounds may only lead forward")
    return ids[number - 1]


def minutes(text: str, verdict_name: str) -> Guess:
    stated = _MINUTES.search(text)
    if stated:
        return Guess(int(stated[1]), f"'{stated[0]}'", stated=True)
    return Guess(int(wording()["estimated_minutes"][verdict_name]), "estimated; the text states no time")


def action_minutes(action: Text, has_command: bool) -> Guess:
    stated = _MINUTES.search(action.value)
    if stated:
        return Guess(int(stated[1]), f"'{stated[0]}'", stated=True)
    kind = "console" if has_command else "follow_up"
    return Guess(int(wording()["action_minutes"][kind]),
                 "estimated: one console check" if has_command else "estimated: a follow-up ticket, no clock time")


def sla_minutes(doc: Document) -> Guess:
    for rnd in doc.rounds:
        for text in (rnd.pressure_cue, rnd.what_you_see):
            match = _SLA.search(text.value) if text else None
            if match:
                return Guess(int(match[1]), f"'{match[0]}'", stated=True)
    return Guess(int(wording()["default_sla_minutes"]), "no 'N minutes before SLA breach' in any pressure cue")


def clock_start(doc: Document) -> Guess:
    when = doc.setup["time_of_day"].value
    day = next((i for i, name in enumerate(_WEEKDAYS) if name in when.lower() or name[:3] in when.lower().split()), 0)
    hm = _CLOCK.search(when)
    hour, minute = (int(hm[1]), int(hm[2])) if hm and int(hm[1]) < 24 and int(hm[2]) < 60 else (3, 0)
    date = _BASE_MONDAY + dt.timedelta(days=day)
    start = dt.datetime(date.year, date.month, date.day, hour, minute)
    return Guess(start.strftime("%Y-%m-%dT%H:%M:00Z"), f"a {_WEEKDAYS[day].title()} at {hour:02d}:{minute:02d} UTC, from '{when}'")


@dataclass(frozen=True)
class DamageFacts:
    before_alert: Guess
    covered_after: Guess
    note: Guess
    blast_radius: str
    optimal_stated: str  #: "15 minutes", as written ("" if the report states none)
    optimal_summary: Guess
    worst_stated: str
    worst_summary: Guess
    risk: tuple[Guess, str] | None  #: (after_minutes, text)


def _item(doc: Document, *prefixes: str) -> tuple[str, Text] | None:
    for fact in doc.damage:
        key, sep, value = fact.value.partition(":")
        if sep and any(key.strip().lower().startswith(p) for p in prefixes):
            return value.strip(), fact
    return None


def _paren(value: str) -> str:
    match = re.search(r"\(([^()]*)\)\s*$", value)
    return match[1].strip() if match else ""


def damage(doc: Document) -> DamageFacts:
    total = _item(doc, "total downtime", "downtime")
    blast = _item(doc, "blast radius", "impact")
    optimal = _item(doc, "optimal")
    worst = _item(doc, "if every wrong choice", "worst")
    if blast is None:
        raise MarkdownError(doc.path, doc.damage_line, "the Damage Report has no 'Blast radius:' item")
    total_min = _MINUTES.search(total[0]) if total else None
    first = doc.rounds[0]
    ago = next((m for t in (first.what_you_see, first.pressure_cue) if t and (m := _AGO.search(t.value))), None)
    before = int(ago[1]) if ago else 0
    covered = max(int(total_min[1]) - before, 0) if total_min else 0
    before_g = Guess(before, f"'{ago[0]}' in Round 1" if ago else "no 'N minutes ago' in Round 1")
    covered_g = Guess(covered, f"total downtime {total_min[1]} minus {before} before the alert" if total_min
                      else "the Damage Report states no total downtime")
    note = _paren(total[0]) if total else ""
    note_g = Guess(note, stated=True) if note else Guess("downtime until failover covered the gap", "no explanation in the text")
    opt_min = _MINUTES.search(optimal[0]) if optimal else None
    opt_summary = _paren(optimal[0]) if optimal else ""
    worst_min = _MINUTES.search(worst[0]) if worst else None
    worst_rest = worst[0][worst_min.end():].strip(" ,;.") if worst and worst_min else (worst[0] if worst else "")
    risk = None
    risk_match = re.search(r"\brisk of (.+)$", worst_rest, re.I)
    if risk_match and worst_min:
        after = int(worst_min[1]) * 4 // 5 // 5 * 5
        risk = (Guess(after, f"four fifths of the stated {worst_min[0]}"), "Risk of " + risk_match[1].strip(" ."))
    return DamageFacts(
        before_alert=before_g, covered_after=covered_g, note=note_g, blast_radius=blast[0],
        optimal_stated=opt_min[0] if opt_min else "",
        optimal_summary=Guess(opt_summary, stated=True) if opt_summary else Guess("take the recommended choice of every round", "no summary in the text"),
        worst_stated=worst_min[0] if worst_min else "",
        worst_summary=Guess(worst_rest, stated=True) if worst_rest else Guess("every wrong choice before the right one", "no summary in the text"),
        risk=risk,
    )
