"""The damage report field by field, for the paths that matter (found by ``./run mutate``: a
report field left out or a rule nudged by one must fail a test)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drillbook.engine import Engine, ReplayError, play
from drillbook.model import Risk, Scenario
from drillbook.replay_codes import summarize
from drillbook.report import damage_report
from drillbook.scenario import load_text

from .conftest import FILES

WORST = "ACDB-BCDA-BCDA"


def _closed_with_console_time(seed: Scenario, code: str, console: int) -> Engine:
    engine = play(seed, code, remediate=False)
    engine.spend(console)
    for action in engine.current_round.actions:
        engine.complete_action(action.id)
    return engine


def test_every_field_of_the_worst_path(seed: Scenario) -> None:
    engine = _closed_with_console_time(seed, WORST, 2)
    report = damage_report(seed, engine.state)
    summary = summarize(seed)
    assert report.title == seed.title == "Network Bonding Failover Not Working"
    assert report.path_code == WORST
    assert (report.total_minutes, report.console_minutes) == (82, 2)
    assert (report.optimal_code, report.optimal_minutes) == ("B-A-A", 15)
    assert (report.worst_code, report.worst_minutes) == (summary.worst_code, 80)
    assert (report.downtime_minutes, report.sla_minutes, report.sla_breached) == (16, 10, True)
    assert report.downtime_note == seed.damage.downtime_note and report.downtime_note
    assert report.blast_radius == seed.damage.blast_radius and report.blast_radius
    assert report.cross_references == seed.cross_references and report.cross_references
    assert report.facts == seed.damage.facts and report.facts
    assert report.steps == engine.state.steps and len(report.steps) == 12
    assert report.minutes_over_optimal == 67
    decisions = [r for r in seed.rounds if r.kind == "decision"]
    assert [m.split(":")[0] for m in report.missed] == [f"Round {r.number} ({r.title})" for r in decisions]
    first = decisions[0]
    rec = first.recommended
    assert rec is not None
    assert report.missed[0] == f"Round 1 ({first.title}): {rec.key} ({rec.label}) first; the detour cost 11 minutes."
    assert report.remediation and all(done for _action, done in report.remediation)


def test_what_if_lists_every_choice_with_its_result_and_whether_it_was_taken(seed: Scenario) -> None:
    report = damage_report(seed, play(seed, "B-A-A").state)
    choices = [(r, c) for r in seed.rounds for c in r.choices]
    assert len(report.what_if) == len(choices) == 12
    taken = {(w.round_id, w.key) for w in report.what_if if w.taken}
    assert taken == {("alert", "B"), ("triage", "A"), ("root-cause", "A")}
    for what_if, (rnd, choice) in zip(report.what_if, choices):
        assert (what_if.round_id, what_if.key, what_if.result) == (rnd.id, choice.key, choice.result)
    assert report.missed == () and report.risks == ()


def test_an_open_incident_has_no_report_yet(seed: Scenario) -> None:
    with pytest.raises(ReplayError) as caught:
        damage_report(seed, play(seed, "B-A-A", remediate=False).state)
    assert str(caught.value) == "the damage report is ready once the incident is closed"


def test_a_risk_shows_only_past_its_minutes(seed: Scenario) -> None:
    total = play(seed, "B-A-A").elapsed_minutes

    def risks_with_threshold(after: int) -> tuple[str, ...]:
        scenario = replace(seed, damage=replace(seed.damage, risks=(Risk(after, "the replica drifts"),)))
        return damage_report(scenario, play(scenario, "B-A-A").state).risks

    assert risks_with_threshold(total) == ()  # exactly at the threshold: not yet
    assert risks_with_threshold(total - 1) == ("the replica drifts",)


_SKIPPING = (FILES / "minimal.yaml").read_text(encoding="utf-8").replace(
    "        next: fix\n        result: \"You find the slow query.\"",
    "        next: decide\n        result: \"You find the slow query.\"",
).replace(
    "        verdict: partial\n        minutes: 3\n        next: stay",
    "        verdict: partial\n        minutes: 3\n        next: check",
).replace("  - id: fix\n", """  - id: check
    title: "Check"
    pressure_cue: "Double-check."
    what_you_see: "The replica."
    choices:
      - {key: A, label: "Look", verdict: recommended, minutes: 1, next: decide, result: "Fine."}
      - {key: B, label: "Poke", verdict: wasted, minutes: 1, next: stay, result: "Nothing."}
      - {key: C, label: "Prod", verdict: wasted, minutes: 1, next: stay, result: "Nothing."}
      - {key: D, label: "Nudge", verdict: wasted, minutes: 1, next: stay, result: "Nothing."}
  - id: decide
    title: "Decide"
    pressure_cue: "Pick a fix."
    what_you_see: "Two options."
    choices:
      - {key: A, label: "Add the index", verdict: recommended, minutes: 2, next: fix, result: "Fast again."}
      - {key: B, label: "Scale up", verdict: overkill, minutes: 7, next: stay, result: "Costly."}
      - {key: C, label: "Cache it", verdict: band-aid, minutes: 4, next: stay, result: "For now."}
      - {key: D, label: "Do nothing", verdict: wasted, minutes: 1, next: stay, result: "Still slow."}
  - id: fix
""")


def test_a_round_the_path_skipped_is_not_a_missed_step() -> None:
    scenario = load_text(_SKIPPING, "skipping.yaml")
    engine = play(scenario, "A-CA")
    assert [s.round_id for s in engine.state.steps] == ["triage", "decide", "decide"]
    report = damage_report(scenario, engine.state)
    assert report.missed == ("Round 3 (Decide): A (Add the index) first; the detour cost 4 minutes.",)
