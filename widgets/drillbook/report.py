"""The damage report, computed only from the path a learner took (never pasted from the seed).

A function of the scenario and the engine's :class:`ReplayState`: this module reads the engine,
the engine never reads it, so the replay's state machine stays free of reporting concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from .engine import ReplayState, Step
from .errors import ReplayError
from .model import Action, ChoiceAt, CrossReference, Scenario
from .replay_codes import summarize


@dataclass(frozen=True)
class WhatIf(ChoiceAt):
    """A choice not taken (or taken), and what it would have cost at that point."""

    taken: bool
    result: str


@dataclass(frozen=True)
class DamageReport:
    title: str
    path_code: str
    total_minutes: int
    console_minutes: int
    optimal_minutes: int
    optimal_code: str
    worst_minutes: int
    worst_code: str
    downtime_minutes: int
    downtime_note: str
    sla_minutes: int
    sla_breached: bool
    blast_radius: str
    steps: tuple[Step, ...]
    missed: tuple[str, ...]
    remediation: tuple[tuple[Action, bool], ...]  #: each action and whether it was done
    risks: tuple[str, ...]
    what_if: tuple[WhatIf, ...]
    cross_references: tuple[CrossReference, ...]
    facts: tuple[str, ...]  #: the scenario's reference report, for comparison

    @property
    def minutes_over_optimal(self) -> int:
        return self.total_minutes - self.optimal_minutes


def damage_report(scenario: Scenario, state: ReplayState) -> DamageReport:
    """The report of a finished run (the incident closed), from its state alone."""
    if not state.finished:
        raise ReplayError("the damage report is ready once the incident is closed")
    summary = summarize(scenario)
    steps = state.steps
    missed: list[str] = []
    taken_keys: dict[str, set[str]] = {}
    for step in steps:
        taken_keys.setdefault(step.round_id, set()).add(step.key)
    for rnd in scenario.rounds:
        rec = rnd.recommended
        tried = [s for s in steps if s.round_id == rnd.id]
        if rec is None or not tried:
            continue
        first = tried[0]
        if first.key != rec.key:
            wasted = sum(s.minutes for s in tried if s.key != rec.key)
            missed.append(
                f"Round {rnd.number} ({rnd.title}): {rec.key} ({rec.label}) first; "
                f"the detour cost {wasted} minutes."
            )
    done = set(state.completed_actions)
    remediation: list[tuple[Action, bool]] = []
    for rnd in scenario.rounds:
        if rnd.kind == "remediation" and any(s.round_id != rnd.id for s in steps):
            for action in rnd.actions:
                remediation.append((action, action.id in done))
                if action.id not in done:
                    missed.append(f"Remediation not done: {action.text}")
    total = state.elapsed_minutes
    risks = tuple(r.text for r in scenario.damage.risks if total > r.after_minutes)
    what_if = tuple(
        WhatIf(**ChoiceAt.fields(rnd, c), taken=c.key in taken_keys.get(rnd.id, set()), result=c.result)
        for rnd in scenario.rounds
        for c in rnd.choices
    )
    return DamageReport(
        title=scenario.title,
        path_code=state.path_code,
        total_minutes=total,
        console_minutes=state.console_minutes,
        optimal_minutes=summary.optimal_minutes,
        optimal_code=summary.optimal_code,
        worst_minutes=summary.worst_minutes,
        worst_code=summary.worst_code,
        downtime_minutes=state.downtime_minutes,
        downtime_note=scenario.damage.downtime_note,
        sla_minutes=scenario.clock.sla_minutes,
        sla_breached=state.sla_breached,
        blast_radius=scenario.damage.blast_radius,
        steps=steps,
        missed=tuple(missed),
        remediation=tuple(remediation),
        risks=risks,
        what_if=what_if,
        cross_references=scenario.cross_references,
        facts=scenario.damage.facts,
    )
