"""The class pulse: what a study group is doing in a replay right now, read from the store.

For the round on the instructor's screen: how many learners took each action (each learner's
first click, and every click); where every learner is; and, for those who finished, their
total minutes and whether they met the SLA. Pure data, no widgets: ``ui/pulse.py`` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Round, Scenario
from .store import Store


@dataclass(frozen=True)
class Whereabouts:
    learner: str
    where: str  #: "Round 2: First Triage Data" or "finished"
    finished: bool
    minutes: int
    sla_met: bool


@dataclass(frozen=True)
class Pulse:
    group: str
    round: Round | None  #: the decision round counted (None: the screen shows no decision)
    first: dict[str, int]  #: key -> learners whose first click in the round it was
    all: dict[str, int]  #: key -> every click in the round
    learners: tuple[Whereabouts, ...]
    finished_minutes: tuple[int, ...]  #: total minutes of each learner's latest finished run
    met_sla: int

    @property
    def finished(self) -> int:
        return len(self.finished_minutes)


def read_pulse(store: Store | None, scenario: Scenario, group: str, rnd: Round | None) -> Pulse:
    """The group's pulse for ``rnd`` (the round on screen); ``store=None``: nobody saved yet."""
    decision = rnd if rnd is not None and rnd.kind == "decision" else None
    if store is None:
        return Pulse(group, decision, {}, {}, (), (), 0)
    counts = store.round_counts(scenario.id, group, decision.id) if decision is not None else None
    titles = {r.id: f"Round {r.number}: {r.title}" for r in scenario.rounds}
    learners = tuple(
        Whereabouts(e.learner.label, "finished" if e.finished else titles.get(e.at_round, e.at_round), e.finished,
                    e.elapsed_minutes, not e.sla_breached)
        for e in store.positions(scenario.id, group)
    )
    finishes = store.finishes(scenario.id, group)
    return Pulse(
        group=group, round=decision,
        first=counts.first if counts else {}, all=counts.all if counts else {},
        learners=learners,
        finished_minutes=tuple(sorted(e.elapsed_minutes for e in finishes)),
        met_sla=sum(not e.sla_breached for e in finishes),
    )


def minute_buckets(minutes: tuple[int, ...], width: int = 5) -> list[tuple[int, int]]:
    """``[(bucket start, learners)]`` for a histogram of total minutes, empty buckets included."""
    if not minutes:
        return []
    low, high = min(minutes) // width * width, max(minutes) // width * width
    return [(start, sum(start <= m < start + width for m in minutes)) for start in range(low, high + 1, width)]
