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
