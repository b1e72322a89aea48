"""Every incident's optimal and worst times, as stated in scenarios/README.md, hold: the path
search finds them, playing them gives those minutes, the optimal run meets the SLA with no
risk shown and the worst breaches it with every risk shown, and the scenario's own damage
facts quote the same optimal time and a worst time the worst path reaches."""

from __future__ import annotations

import re

import pytest

from drillbook.engine import play
from drillbook.replay_codes import summarize
from drillbook.report import damage_report
from drillbook.scenario import Scenario, find_scenario, load_scenario

from .conftest import REPO

ROW = re.compile(r"^\| `(?P<id>[a-z0-9-]+)` \| .*? \| `(?P<opt>[A-D-]+)`, (?P<opt_min>\d+) min \| "
                 r"`(?P<worst>[A-D-]+)`, (?P<worst_min>\d+) min \| (?P<down_opt>\d+) / (?P<down_worst>\d+) min \| "
                 r"(?P<sla>\d+) min \|$", re.M)
TABLE = {m["id"]: m.groupdict() for m in ROW.finditer((REPO / "scenarios" / "README.md").read_text(encoding="utf-8"))}


def test_readme_lists_every_scenario() -> None:
    assert sorted(TABLE) == sorted(p.stem for p in (REPO / "scenarios").glob("*.yaml"))


@pytest.fixture(params=sorted(TABLE), scope="module")
def incident(request: pytest.FixtureRequest) -> tuple[Scenario, dict[str, str]]:
    return load_scenario(find_scenario(request.param)), TABLE[request.param]


def test_stated_paths_are_the_optimal_and_worst(incident: tuple[Scenario, dict[str, str]]) -> None:
    scenario, row = incident
    summary = summarize(scenario)
    assert (summary.optimal_code, summary.optimal_minutes) == (row["opt"], int(row["opt_min"]))
    assert summary.worst_minutes == int(row["worst_min"])  # several orders of the wrong tries tie
    assert damage_report(scenario, play(scenario, summary.worst_code).state).total_minutes == int(row["worst_min"])
    assert summary.count == 16**3
    assert scenario.clock.sla_minutes == int(row["sla"])


def test_optimal_run_meets_the_sla(incident: tuple[Scenario, dict[str, str]]) -> None:
    scenario, row = incident
    report = damage_report(scenario, play(scenario, row["opt"]).state)
    assert report.total_minutes == report.optimal_minutes == int(row["opt_min"])
    assert report.downtime_minutes == int(row["down_opt"]) and not report.sla_breached
    assert report.risks == () and report.missed == ()
    assert all(s.verdict == "recommended" for s in report.steps)
    assert f"Optimal resolution time: {row['opt_min']} minutes" in " ".join(scenario.damage.facts)


def test_worst_run_breaches_the_sla(incident: tuple[Scenario, dict[str, str]]) -> None:
    scenario, row = incident
    report = damage_report(scenario, play(scenario, row["worst"]).state)
    assert report.total_minutes == report.worst_minutes == int(row["worst_min"])
    assert report.downtime_minutes == int(row["down_worst"]) and report.sla_breached
    assert report.risks == tuple(r.text for r in scenario.damage.risks) and report.risks
    stated = re.search(r"If every wrong choice was made: (\d+)\+ minutes", " ".join(scenario.damage.facts))
    assert stated and int(stated.group(1)) <= report.total_minutes < int(stated.group(1)) + 10
