"""The replay engine, walked through every path of every scenario without any widget."""

from __future__ import annotations

import datetime as dt

import pytest

from drillbook.engine import ConsoleCommand, Engine, ReplayError, play
from drillbook.report import DamageReport, damage_report
from drillbook.errors import UnknownIdError
from drillbook.replay_codes import all_codes, parse_code, summarize
from drillbook.scenario import STAY, Scenario, find_scenario, load_scenario

from .conftest import FILES

WORST_SEED = "ACDB-BCDA-BCDA"


def test_clock_starts_wednesday_0322_utc(seed: Scenario) -> None:
    engine = Engine(seed)
    assert engine.now == dt.datetime(2025, 11, 19, 3, 22, tzinfo=dt.timezone.utc)
    assert engine.now.strftime("%A %H:%M %Z") == "Wednesday 03:22 UTC"
    assert engine.current_round is seed.rounds[0]
    assert engine.downtime_minutes == 2  # dark for 2 minutes when the page fires


def test_optimal_path_takes_15_minutes(seed: Scenario) -> None:
    report = report_of(play(seed, "B-A-A"))
    assert report.total_minutes == 15
    assert report.optimal_minutes == 15 and report.optimal_code == "B-A-A"
    assert report.downtime_minutes == 8  # the seed's "Total downtime: 8 minutes"
    assert not report.sla_breached
    assert report.risks == ()
    assert report.missed == ()
    assert all(done for _, done in report.remediation) and len(report.remediation) == 5
    assert [s.verdict for s in report.steps] == ["recommended"] * 3


def test_every_wrong_choice_path(seed: Scenario) -> None:
    report = report_of(play(seed, WORST_SEED))
    assert report.total_minutes >= 75
    assert report.total_minutes == report.worst_minutes == 80
    assert report.sla_breached and report.downtime_minutes == 16
    assert report.risks == ("Risk of data inconsistency during extended split",)
    assert len(report.missed) == 3  # each round's recommended choice was not taken first
    assert [s.key for s in report.steps] == list(WORST_SEED.replace("-", ""))


def test_issue_fixed_minutes(seed: Scenario) -> None:
    triage, root = seed.round("triage"), seed.round("root-cause")
    assert triage.choice("D").minutes == 10  # cable walkdown
    assert root.choice("B").minutes >= 30  # NIC replacement


def test_outcome_reports_clock_sla_and_position(seed: Scenario) -> None:
    engine = Engine(seed)
    wrong = engine.choose("D")
    assert wrong.stayed and not wrong.finished
    assert wrong.next_round is seed.rounds[0]
    assert wrong.elapsed_minutes == 6
    assert wrong.now.strftime("%H:%M") == "03:28"
    right = engine.choose("b")  # keys are case-insensitive
    assert not right.stayed and right.next_round is seed.round("triage")
    assert right.choice.verdict == "recommended"
    assert engine.state.tried == ()  # a new round starts with nothing tried
    harmful = engine.choose("C")
    assert harmful.downtime_minutes == 2 + 6 + 5 and harmful.sla_breached


def test_a_tried_choice_cannot_be_taken_twice(seed: Scenario) -> None:
    engine = Engine(seed)
    engine.choose("A")
    assert engine.state.tried == ("A",)
    with pytest.raises(ReplayError, match="already tried"):
        engine.choose("A")
    assert engine.elapsed_minutes == 3  # the refused retry cost nothing


def test_unknown_choice_and_events_out_of_place(seed: Scenario) -> None:
    engine = Engine(seed)
    with pytest.raises(UnknownIdError, match="round 1 has no choice 'E'"):
        engine.choose("E")
    with pytest.raises(ReplayError, match="decision round"):
        engine.complete_action("verify-bond")
    with pytest.raises(ReplayError):
        report_of(engine)
    finished = play(seed, "B-A-A")
    with pytest.raises(ReplayError, match="finished"):
        finished.choose("A")
    with pytest.raises(ReplayError, match="time only moves forward"):
        Engine(seed).spend(-1)


def test_remediation_actions_charge_once_and_close_early(seed: Scenario) -> None:
    engine = play(seed, "B-A-A", remediate=False)
    assert engine.current_round.kind == "remediation"
    engine.complete_action("verify-bond")
    engine.complete_action("verify-bond")
    assert engine.elapsed_minutes == 13
    with pytest.raises(UnknownIdError, match="no action 'nope'"):
        engine.complete_action("nope")
    engine.close_incident()
    report = report_of(engine)
    assert report.total_minutes == 13
    done = {a.id: ok for a, ok in report.remediation}
    assert done["verify-bond"] and not done["test-failover"]
    assert sum("Remediation not done" in m for m in report.missed) == 4


def test_console_time_counts(seed: Scenario) -> None:
    engine = Engine(seed)
    engine.spend(2)
    engine.choose("B")
    assert engine.elapsed_minutes == 5 and engine.state.console_minutes == 2


def test_restart_and_replay_from_round(seed: Scenario) -> None:
    engine = Engine(seed)
    engine.replay("AB-DA")
    assert engine.current_round is seed.round("root-cause")
    engine.replay_to_round(2)
    assert engine.current_round is seed.round("triage")
    assert engine.path_code == "AB" and engine.elapsed_minutes == 6
    with pytest.raises(ReplayError, match="not reached round 3"):
        engine.replay_to_round(3)
    with pytest.raises(UnknownIdError, match="no round 9"):
        engine.replay_to_round(9)
    engine.restart()
    assert engine.elapsed_minutes == 0 and engine.steps == () and engine.current_round is seed.rounds[0]


@pytest.mark.parametrize(
    "code, message",
    [
        ("B-D-A", "group 'D' leaves you in round 2"),
        ("BA", "comes after round 1 was already left"),
        ("B-A-A-A", "longer than the scenario's decisions"),
        ("<script>", "is not a replay code"),
        ("B--A", "is not a replay code"),
        ("X" * 500, "is not a replay code"),
    ],
)
def test_bad_replay_codes(seed: Scenario, code: str, message: str) -> None:
    with pytest.raises(UnknownIdError, match=message):
        Engine(seed).replay(code)


def test_parse_code_normalises() -> None:
    assert parse_code(" b-a-a ") == ["B", "A", "A"]
    assert parse_code("") == []


def test_steps_carry_their_effects_and_whether_they_moved_on(seed: Scenario) -> None:
    engine = Engine(seed)
    engine.replay("DB-BA-A")
    assert [(s.key, s.moved_on) for s in engine.steps] == [("D", False), ("B", True), ("B", False), ("A", True), ("A", True)]
    # R1-D and R2-B stayed in their rounds: rewound. Only R3-A's firmware flash remains.
    effects = [dict(s.effects) for s in engine.steps if s.moved_on and s.effects]
    assert effects == [dict(seed.round("root-cause").choice("A").effects)]
    assert all(s.moved_on == seed.round(s.round_id).choice(s.key).moves_on for s in engine.steps)


@pytest.mark.parametrize("code", ["B-D-A", "BA", "B-A-A-A", "<script>"])
def test_a_refused_replay_leaves_the_run_as_it_was(seed: Scenario, code: str) -> None:
    engine = Engine(seed)
    engine.choose("A")
    engine.spend(2)
    before = engine.state
    with pytest.raises(UnknownIdError):
        engine.replay(code)
    assert engine.state == before and len(engine.outcomes) == 1


def test_replay_can_stop_mid_round_or_at_a_round(seed: Scenario) -> None:
    engine = Engine(seed)
    with pytest.raises(UnknownIdError, match="leaves you in round 2"):
        engine.replay("B-D")
    engine.replay("B-D", open_round=True)
    assert engine.current_round is seed.round("triage") and engine.state.tried == ("D",)
    engine.replay("B-A-A", until_round=2)
    assert engine.path_code == "B" and engine.current_round is seed.round("triage")
    engine.replay("B-A-A", remediate=True)
    assert engine.finished and len(engine.state.completed_actions) == 5
    assert [o.choice.key for o in engine.outcomes] == ["B", "A", "A"]


@pytest.fixture(scope="module", params=["bond-failover", "lacp-one-link", "mtu-blackhole", "minimal"])
def any_scenario(request: pytest.FixtureRequest) -> Scenario:
    if request.param == "minimal":
        return load_scenario(FILES / "minimal.yaml")
    return load_scenario(find_scenario(request.param))


def test_walk_every_path(any_scenario: Scenario) -> None:
    """Every path terminates, every choice is reachable, and the summary agrees with the walk."""
    codes = all_codes(any_scenario)
    summary = summarize(any_scenario)
    assert len(codes) == summary.count
    taken: set[tuple[str, str]] = set()
    minutes = []
    for code in codes:
        engine = play(any_scenario, code)
        assert engine.finished, code
        report = report_of(engine)
        minutes.append(report.total_minutes)
        taken |= {(s.round_id, s.key) for s in report.steps}
        assert report.downtime_minutes >= any_scenario.damage.downtime_before_alert
    every_choice = {(r.id, c.key) for r in any_scenario.rounds for c in r.choices}
    assert taken == every_choice
    assert min(minutes) == summary.optimal_minutes
    assert max(minutes) == summary.worst_minutes


def test_seed_path_space(seed: Scenario) -> None:
    summary = summarize(seed)
    assert summary.count == 16**3  # per round: 1 + 3 + 6 + 6 orders of wrong tries
    assert summary.optimal_minutes == 15 and summary.worst_minutes >= 75


def test_every_stay_choice_is_retryable(any_scenario: Scenario) -> None:
    optimal = summarize(any_scenario).optimal_code.split("-")
    for rnd in any_scenario.rounds:
        for choice in rnd.choices:
            if choice.next == STAY:
                engine = Engine(any_scenario)
                if rnd.number > 1:
                    engine.replay("-".join(optimal[: rnd.number - 1]))
                outcome = engine.choose(choice.key)
                assert outcome.stayed and engine.current_round is rnd
                assert engine.choose(rnd.recommended.key).next_round is not rnd  # and the round still moves on


def test_engine_imports_no_widgets_io_yaml_or_simulator() -> None:
    import subprocess
    import sys

    code = (
        "import sys, drillbook.engine, drillbook.replay_codes, drillbook.report;"
        "bad = [m for m in ('ipywidgets', 'traitlets', 'sqlite3', 'IPython', 'yaml', 'drillbook.host',"
        " 'drillbook.scenario', 'drillbook._yaml', 'drillbook._schema', 'drillbook.store') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def report_of(engine: Engine) -> DamageReport:
    return damage_report(engine.scenario, engine.state)


def test_console_commands_in_remediation_are_checked_by_the_engine(seed: Scenario) -> None:
    engine = play(seed, "B-A-A", remediate=False)
    start = engine.elapsed_minutes
    look = engine.console_command("dmesg", "whatever", 1)
    assert look == ConsoleCommand(None, False, 1) and engine.elapsed_minutes == start + 1
    refused = engine.console_command("cat  /proc/net/bonding/bond0", "Currently Active Slave: eth1", 1)
    assert refused.action is not None and refused.action.id == "verify-bond"
    assert (refused.verified, refused.minutes) == (False, 1)
    assert "verify-bond" not in engine.state.completed_actions and engine.elapsed_minutes == start + 2
    done = engine.console_command("cat /proc/net/bonding/bond0 ", "Currently Active Slave: eth0\n", 3)
    assert done.verified and done.minutes == 1  # the action's minutes, not the console's 3
    assert engine.state.completed_actions == ("verify-bond",) and engine.elapsed_minutes == start + 3
    again = engine.console_command("cat /proc/net/bonding/bond0", "Currently Active Slave: eth0", 1)
    assert again.action is None  # a done action is not done twice
    no_expect = engine.console_command("ifdown eth0 && sleep 5 && ifup eth0", "", 4)
    assert no_expect.verified and no_expect.minutes == 2
    with pytest.raises(ReplayError):
        Engine(seed).console_command("dmesg", "", 1)  # round 1 is a decision round


@pytest.mark.parametrize("downtime, level", [(0, "ok"), (7, "ok"), (8, "warn"), (10, "warn"), (11, "breached")])
def test_one_sla_rule(seed: Scenario, downtime: int, level: str) -> None:
    from drillbook.engine import sla_level

    assert sla_level(downtime, 10) == level  # warn once 80 % of the 10-minute budget is used
    if level != "warn":
        assert (level == "breached") == (downtime > seed.clock.sla_minutes)
