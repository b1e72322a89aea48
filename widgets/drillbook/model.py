"""The scenario model: frozen dataclasses the engine, the host and the views all read.

Parsing and validation live in :mod:`drillbook.scenario`; by the time one of these objects
exists, every invariant the engine relies on (four choices, one recommended, rounds that only
lead forward and can always end) has been checked. Importing this module loads no YAML and no
simulator, so the engine can depend on it and stay pure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import UnknownIdError

if TYPE_CHECKING:
    from .host.model import HostState

#: Verdicts a choice can carry, with the label learners see.
VERDICTS: dict[str, str] = {
    "recommended": "Recommended",
    "partial": "Partial clue",
    "band-aid": "Band-aid",
    "overkill": "Overkill",
    "harmful": "Harmful",
    "wasted": "Wasted time",
}
CHOICE_KEYS = ("A", "B", "C", "D")
#: Special ``next`` targets besides a round id.
STAY, END = "stay", "end"
ROUND_KINDS = ("decision", "remediation")


@dataclass(frozen=True)
class Choice:
    key: str  #: "A".."D"
    label: str
    verdict: str  #: one of VERDICTS
    minutes: int  #: cost on the simulated clock
    result: str  #: the seed's result text, word for word
    next: str  #: a round id, "stay" (try again in this round) or "end"
    why: str = ""  #: a short explanation shown with the verdict
    reveals: tuple[str, ...] = ()  #: console commands whose output the result shows
    outage_minutes: int = 0  #: extra user-facing downtime this choice causes
    effects: tuple[tuple[str, Any], ...] = ()  #: host changes, ``("eth1.firmware", "0x...")``
    line: int = 0
    next_line: int = 0  #: where ``next`` stands, for graph errors found after parsing

    @property
    def verdict_label(self) -> str:
        return VERDICTS[self.verdict]

    @property
    def moves_on(self) -> bool:
        """Whether taking this choice leaves its round (the one rule the engine, the host
        timeline and the path search share): ``stay`` keeps the learner there to try again."""
        return self.next != STAY


@dataclass(frozen=True)
class Action:
    """One remediation step; ``command`` is run in the console to verify it, if given."""

    id: str
    text: str
    minutes: int
    command: str = ""
    expect: str = ""  #: text the command's output must contain for the step to count as verified

    def performed_by(self, line: str) -> bool:
        """Whether a console line is this action's command (spacing does not matter)."""
        return bool(self.command) and line.split() == self.command.split()


@dataclass(frozen=True)
class Round:
    id: str
    number: int
    title: str
    pressure_cue: str
    what_you_see: str
    kind: str = "decision"
    choices: tuple[Choice, ...] = ()
    actions: tuple[Action, ...] = ()
    line: int = 0

    def choice(self, key: str) -> Choice:
        for choice in self.choices:
            if choice.key == key:
                return choice
        raise KeyError(key)

    @property
    def recommended(self) -> Choice | None:
        return next((c for c in self.choices if c.verdict == "recommended"), None)

    @property
    def remediation_minutes(self) -> int:
        return sum(a.minutes for a in self.actions)


@dataclass(frozen=True)
class ChoiceAt:
    """A choice seen from its round: what the path map, the damage report and the what-if
    view list. Engine steps and what-ifs extend it, so the two never drift apart."""

    round_id: str
    round_number: int
    round_title: str
    key: str
    label: str
    verdict: str
    verdict_label: str
    minutes: int
    outage_minutes: int

    @staticmethod
    def fields(rnd: "Round", choice: Choice) -> dict[str, Any]:
        """The base fields for ``choice`` in ``rnd``, to build any subclass with keywords."""
        return {"round_id": rnd.id, "round_number": rnd.number, "round_title": rnd.title,
                "key": choice.key, "label": choice.label, "verdict": choice.verdict,
                "verdict_label": choice.verdict_label, "minutes": choice.minutes,
                "outage_minutes": choice.outage_minutes}


@dataclass(frozen=True)
class Setup:
    system_context: str
    time_of_day: str
    role: str


@dataclass(frozen=True)
class Clock:
    start: dt.datetime  #: simulated time when the alert fires (UTC)
    sla_minutes: int  #: user-facing downtime allowed before the SLA is breached


@dataclass(frozen=True)
class Risk:
    """A consequence that appears in the damage report once the incident ran this long."""

    after_minutes: int
    text: str


@dataclass(frozen=True)
class Damage:
    downtime_before_alert: int  #: minutes the service was already down when the alert fired
    covered_after_minutes: int  #: minutes after the alert when failover covered the gap
    downtime_note: str
    blast_radius: str
    optimal_summary: str
    worst_summary: str
    risks: tuple[Risk, ...]
    facts: tuple[str, ...]  #: the reference damage report, word for word


@dataclass(frozen=True)
class CrossReference:
    title: str
    notebook: str  #: path of the primer notebook relative to ``course/``


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    path: str
    setup: Setup
    clock: Clock
    rounds: tuple[Round, ...]
    damage: Damage
    cross_references: tuple[CrossReference, ...]
    host: HostState | None = None

    @property
    def first_round(self) -> Round:
        return self.rounds[0]

    def round(self, round_id: str) -> Round:
        for rnd in self.rounds:
            if rnd.id == round_id:
                return rnd
        known = ", ".join(r.id for r in self.rounds)
        raise UnknownIdError(f"scenario '{self.id}' has no round '{round_id}' (rounds: {known})")

    def round_headings(self) -> dict[str, str]:
        """``{round id: "Round N: title"}`` in play order, as exported notes head their sections."""
        return {r.id: f"Round {r.number}: {r.title}" for r in self.rounds}
