"""The SLA rule at its boundary: downtime exactly at the SLA is met, one minute more is a breach
(the seed: "You have 10 minutes before SLA breach"). The engine, its report and the clock view
must agree, at the boundary and on every step of every path."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drillbook.engine import Engine, play
from drillbook.report import damage_report
from drillbook.scenario import Scenario
from drillbook.ui.clock import IncidentClock, render_clock

OPTIMAL = "B-A-A"


def with_sla(scenario: Scenario, sla_minutes: int) -> Scenario:
    return replace(scenario, clock=replace(scenario.clock, sla_minutes=sla_minutes))


@pytest.fixture(scope="module")
def optimal_downtime(seed: Scenario) -> int:
    return play(seed, OPTIMAL).downtime_minutes


def test_downtime_exactly_at_the_sla_is_not_a_breach(seed: Scenario, optimal_downtime: int) -> None:
    engine = play(with_sla(seed, optimal_downtime), OPTIMAL)
    assert engine.downtime_minutes == engine.scenario.clock.sla_minutes
    assert engine.sla_breached is False
    assert engine.state.sla_breached is False
    assert damage_report(engine.scenario, engine.state).sla_breached is False


def test_one_minute_over_the_sla_is_a_breach(seed: Scenario, optimal_downtime: int) -> None:
    engine = play(with_sla(seed, optimal_downtime - 1), OPTIMAL)
    assert engine.downtime_minutes == engine.scenario.clock.sla_minutes + 1
    assert engine.sla_breached is True
    assert engine.state.sla_breached is True
    assert damage_report(engine.scenario, engine.state).sla_breached is True


def test_clock_view_at_the_boundary(seed: Scenario, optimal_downtime: int) -> None:
    at = play(with_sla(seed, optimal_downtime), OPTIMAL).state
    html = render_clock(at)
    assert "BREACHED" not in html and "db-sla-breached" not in html
    assert f"Downtime {optimal_downtime} of {optimal_downtime} minutes allowed" in html
    over = play(with_sla(seed, optimal_downtime - 1), OPTIMAL).state
    html = render_clock(over)
    assert "db-sla-breached" in html
    assert f"SLA BREACHED: {optimal_downtime} minutes of downtime, 1 over the {optimal_downtime - 1}-minute budget." in html
    clock = IncidentClock()
    clock.show(at)
    assert "db-sla-breached" not in clock.value
    clock.show(over)
    assert "db-sla-breached" in clock.value and 'role="alert"' in clock.value


@pytest.mark.parametrize("code", ["B-A-A", "A-B-A", "ACDB-BCDA-BCDA", "B-C-A", "B-A-D", "D-B-A"])
def test_clock_and_engine_agree_on_every_step(seed: Scenario, code: str) -> None:
    """Whatever the SLA, the clock paints a breach exactly when the engine says there is one."""
    for sla in (1, 5, 10, 16, 40):
        engine = Engine(with_sla(seed, sla))
        states = [engine.state]
        for group in code.split("-"):
            for key in group:
                if engine.finished or engine.current_round is None or engine.current_round.kind == "remediation":
                    break
                engine.choose(key)
                states.append(engine.state)
        for state in states:
            assert ("db-sla-breached" in render_clock(state)) is state.sla_breached, (code, sla, state.downtime_minutes)
