"""The engine's rules at their edges, found by mutation testing (``./run mutate``): each test
pins a boundary or an exact message that an off-by-one or a changed word would break."""

from __future__ import annotations

import pytest

from drillbook.engine import Engine, ReplayError, play
from drillbook.errors import UnknownIdError
from drillbook.model import Scenario


def test_spend_accumulates_and_zero_is_allowed(seed: Scenario) -> None:
    engine = Engine(seed)
    engine.spend(0)
    assert engine.elapsed_minutes == 0 and engine.state.console_minutes == 0
    engine.spend(2)
    engine.spend(3)
    assert engine.elapsed_minutes == 5 and engine.state.console_minutes == 5
    engine.choose("B")
    engine.spend(1)
    assert engine.elapsed_minutes == 9 and engine.state.console_minutes == 6


def test_negative_time_is_refused_in_words(seed: Scenario) -> None:
    with pytest.raises(ReplayError) as caught:
        Engine(seed).spend(-1)
    assert str(caught.value) == "time only moves forward"


def test_time_spent_after_the_end_is_not_charged(seed: Scenario) -> None:
    engine = play(seed, "B-A-A")
    assert engine.finished
    before = engine.elapsed_minutes
    engine.spend(5)
    assert engine.elapsed_minutes == before and engine.state.console_minutes == 0


def test_replay_to_round_one_and_the_round_just_reached(seed: Scenario) -> None:
    fresh = Engine(seed)
    fresh.replay_to_round(1)
    assert fresh.current_round is seed.rounds[0]
    engine = Engine(seed)
    engine.replay("B")
    engine.replay_to_round(2)  # the round the run is in
    assert engine.current_round is seed.rounds[1] and engine.path_code == "B"
    engine.replay("B-A")
    engine.replay_to_round(3)
    assert engine.current_round is seed.rounds[2] and engine.path_code == "B-A"


def test_replay_to_the_last_round(seed: Scenario) -> None:
    last = len(seed.rounds)
    engine = play(seed, "B-A-A", remediate=False)
    assert engine.current_round is seed.rounds[last - 1]
    engine.complete_action(seed.rounds[last - 1].actions[0].id)
    engine.replay_to_round(last)
    assert engine.current_round is seed.rounds[last - 1] and engine.elapsed_minutes == 12


def test_replay_to_round_refusals_are_exact(seed: Scenario) -> None:
    engine = Engine(seed)
    with pytest.raises(ReplayError) as not_yet:
        engine.replay_to_round(2)
    assert str(not_yet.value) == "this run has not reached round 2 yet"
    with pytest.raises(UnknownIdError) as no_round:
        engine.replay_to_round(0)
    assert str(no_round.value) == f"there is no round 0 (rounds 1-{len(seed.rounds)})"
    with pytest.raises(UnknownIdError):
        engine.replay_to_round(len(seed.rounds) + 1)


def test_outcomes_and_state_say_exactly_whether_the_run_finished(seed: Scenario) -> None:
    engine = Engine(seed)
    assert engine.state.last is None
    outcome = engine.choose("A")
    assert outcome.finished is False and outcome.stayed is True


_ENDS_IN_A_DECISION = """\
id: short
title: "Short incident"
setup: {system_context: "A web server.", time_of_day: "Monday 09:00 UTC", role: "On-call SRE"}
clock: {start: "2025-11-17T09:00:00Z", sla_minutes: 10}
rounds:
  - id: triage
    title: "Triage"
    pressure_cue: "The site is slow."
    what_you_see: "Latency is up."
    choices:
      - {key: A, label: "Fix it", verdict: recommended, minutes: 2, next: end, result: "Fixed."}
      - {key: B, label: "Wait", verdict: wasted, minutes: 1, next: stay, result: "Nothing."}
      - {key: C, label: "Poke", verdict: wasted, minutes: 1, next: stay, result: "Nothing."}
      - {key: D, label: "Prod", verdict: wasted, minutes: 1, next: stay, result: "Nothing."}
damage:
  downtime: {before_alert_minutes: 0, covered_after_minutes: 1, note: "none"}
  blast_radius: "Slow pages"
  optimal_summary: "fix"
  worst_summary: "wait first"
"""


def test_a_choice_that_ends_the_incident_finishes_the_run() -> None:
    from drillbook.scenario import load_text

    engine = Engine(load_text(_ENDS_IN_A_DECISION, "short.yaml"))
    outcome = engine.choose("A")
    assert outcome.finished is True and outcome.next_round is None
    assert engine.finished is True and engine.current_round is None and engine.state.finished is True


def test_a_code_that_runs_past_the_end_is_refused_exactly(seed: Scenario) -> None:
    """Past a finishing choice, or past the last decision into the remediation round, inside a
    group or after a '-': the same sentence, never a crash."""
    from drillbook.scenario import load_text

    short = load_text(_ENDS_IN_A_DECISION, "short.yaml")
    for scenario, code in ((short, "A-A"), (short, "AB"), (seed, "B-A-AA"), (seed, "B-A-A-A")):
        engine = Engine(scenario)
        with pytest.raises(UnknownIdError) as caught:
            engine.replay(code)
        assert str(caught.value) == f"replay code '{code}' is longer than the scenario's decisions"
        assert engine.path_code == ""


def test_refusals_name_the_choices_and_actions_exactly(seed: Scenario) -> None:
    engine = Engine(seed)
    with pytest.raises(UnknownIdError) as no_choice:
        engine.choose("E")
    assert str(no_choice.value) == "round 1 has no choice 'E' (choices: A, B, C, D)"
    with pytest.raises(UnknownIdError) as not_text:
        engine.choose(None)  # type: ignore[arg-type]
    assert str(not_text.value) == "round 1 has no choice 'None' (choices: A, B, C, D)"
    remediation = play(seed, "B-A-A", remediate=False)
    ids = ", ".join(a.id for a in remediation.current_round.actions)
    with pytest.raises(UnknownIdError) as no_action:
        remediation.complete_action("nope")
    assert str(no_action.value) == f"round 4 has no action 'nope' (actions: {ids})"
    with pytest.raises(ReplayError) as finished:
        play(seed, "B-A-A").choose("A")
    assert str(finished.value) == "the replay has finished; restart it to play again"


def test_bad_replay_codes_are_explained_exactly(seed: Scenario) -> None:
    engine = Engine(seed)
    with pytest.raises(UnknownIdError) as open_group:
        engine.replay("B-D-A")
    assert str(open_group.value) == ("replay code 'B-D-A': group 'D' leaves you in round 2; "
                                     "end each group with the choice that moves on")
    with pytest.raises(UnknownIdError) as run_on:
        engine.replay("BA")
    assert str(run_on.value) == ("replay code 'BA': choice A comes after round 1 was already left; "
                                 "start a new group with '-'")


def test_unknown_round_id_names_the_rounds(seed: Scenario) -> None:
    with pytest.raises(UnknownIdError) as caught:
        seed.round("nope")
    known = ", ".join(r.id for r in seed.rounds)
    assert str(caught.value) == f"scenario 'bond-failover' has no round 'nope' (rounds: {known})"


# Round 1's A jumps over round 2 (a remediation round listed before a decision round, which
# the validator allows): a run can be in round 3 after one group, or never see round 2.
_SKIPS_A_ROUND = """\
id: skipper
title: "A path that skips a round"
setup: {system_context: "A web server.", time_of_day: "Monday 09:00 UTC", role: "On-call SRE"}
clock: {start: "2025-11-17T09:00:00Z", sla_minutes: 30}
rounds:
  - id: alert
    title: "Alert"
    pressure_cue: "The site is down."
    what_you_see: "Errors everywhere."
    choices:
      - {key: A, label: "Roll back", verdict: recommended, minutes: 2, next: verify, result: "Rolled back."}
      - {key: B, label: "Patch live", verdict: band-aid, minutes: 5, next: patch, result: "Patching."}
      - {key: C, label: "Read logs", verdict: wasted, minutes: 1, next: stay, result: "Nothing."}
      - {key: D, label: "Wait", verdict: wasted, minutes: 1, next: stay, result: "Nothing."}
  - id: patch
    kind: remediation
    title: "Patch"
    pressure_cue: "Customers are waiting."
    what_you_see: "A shell."
    actions:
      - {id: deploy, text: "Deploy the patch", minutes: 3}
  - id: verify
    title: "Verify"
    pressure_cue: "Is it fixed?"
    what_you_see: "Errors are falling."
    choices:
      - {key: A, label: "Check the graphs", verdict: recommended, minutes: 1, next: end, result: "Fixed."}
      - {key: B, label: "Reboot", verdict: harmful, minutes: 4, next: stay, result: "Down again."}
      - {key: C, label: "Wait", verdict: wasted, minutes: 1, next: stay, result: "Nothing."}
      - {key: D, label: "Page", verdict: wasted, minutes: 1, next: stay, result: "Nothing."}
damage:
  downtime: {before_alert_minutes: 0, covered_after_minutes: 5, note: "none"}
  blast_radius: "Every page"
  optimal_summary: "roll back"
  worst_summary: "patch live"
"""


@pytest.fixture()
def skipper() -> Scenario:
    from drillbook.scenario import load_text

    return load_text(_SKIPS_A_ROUND, "skipper.yaml")


def test_replay_to_a_round_the_path_jumped_to(skipper: Scenario) -> None:
    """Round 3 after one group: the replay stops when the run arrives, not after n - 1 groups."""
    engine = Engine(skipper)
    engine.replay("CA-B", open_round=True)
    assert engine.current_round is skipper.rounds[2] and engine.elapsed_minutes == 7
    engine.replay_to_round(3)
    assert engine.current_round is skipper.rounds[2]
    assert engine.path_code == "CA" and engine.elapsed_minutes == 3 and engine.state.tried == ()
    engine.replay_to_round(1)
    assert engine.current_round is skipper.rounds[0] and engine.path_code == "" and engine.elapsed_minutes == 0


def test_a_round_the_path_jumped_over_was_not_reached(skipper: Scenario) -> None:
    engine = Engine(skipper)
    engine.replay("A-A")
    assert engine.finished
    with pytest.raises(ReplayError) as caught:
        engine.replay_to_round(2)
    assert str(caught.value) == "this run has not reached round 2 yet"
    assert engine.finished and engine.path_code == "A-A"  # a refusal changes nothing
    with pytest.raises(ReplayError) as direct:
        engine.replay("A-A", until_round=2)
    assert str(direct.value) == "replay code 'A-A' does not reach round 2"
    engine.replay_to_round(3)
    assert engine.current_round is skipper.rounds[2] and engine.path_code == "A"


def test_the_other_branch_reaches_the_remediation_round_but_not_the_last(skipper: Scenario) -> None:
    engine = play(skipper, "DB", remediate=False)
    assert engine.current_round is skipper.rounds[1]
    engine.complete_action("deploy")
    assert engine.finished and engine.elapsed_minutes == 9
    engine.replay_to_round(2)
    assert engine.current_round is skipper.rounds[1] and engine.state.completed_actions == ()
    assert engine.elapsed_minutes == 6
    with pytest.raises(ReplayError, match="not reached round 3"):
        engine.replay_to_round(3)
