"""The branches the atlas plays: which paths through a scenario an instructor's answer key shows.

Pure enumeration over the model, next to :mod:`drillbook.replay_codes` whose path search it
reuses: branches come from the scenario itself (its recommended choices and its rounds), never
from a hard-coded list, so a new incident gets its atlas for free.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import END, Scenario
from .replay_codes import summarize


@dataclass(frozen=True)
class Branch:
    title: str
    code: str


def _recommended_from(scenario: Scenario, round_id: str) -> list[str]:
    """The recommended key of each decision round from ``round_id`` on, one group per round."""
    groups: list[str] = []
    rnd = scenario.round(round_id)
    while rnd.kind == "decision":
        rec = rnd.recommended
        assert rec is not None  # the validator guarantees one per decision round
        groups.append(rec.key)
        if rec.next == END:
            break
        rnd = scenario.round(rec.next)
    return groups


def branches(scenario: Scenario) -> list[Branch]:
    """The optimal path, the every-wrong-choice path and each single wrong choice on the
    optimal path (taken first, then the recommended choice where the wrong one stays)."""
    summary = summarize(scenario)
    out = [Branch("Optimal path", summary.optimal_code), Branch("Every wrong choice", summary.worst_code)]
    prefix: list[str] = []
    rnd = scenario.first_round
    while rnd.kind == "decision":
        rec = rnd.recommended
        assert rec is not None
        for choice in rnd.choices:
            if choice is rec:
                continue
            if not choice.moves_on:
                after = _recommended_from(scenario, rec.next) if rec.next != END else []
                groups = [*prefix, choice.key + rec.key, *after]
            elif choice.next == END:
                groups = [*prefix, choice.key]
            else:
                groups = [*prefix, choice.key, *_recommended_from(scenario, choice.next)]
            out.append(Branch(f"Round {rnd.number}, wrong choice {choice.key}: {choice.label}", "-".join(groups)))
        prefix.append(rec.key)
        if rec.next == END:
            break
        rnd = scenario.round(rec.next)
    return out
