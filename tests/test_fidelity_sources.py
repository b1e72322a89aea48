"""The Markdown-authored incidents are encoded completely: every cue, "what you see", choice,
result text, remediation line, damage fact and cross-reference of scenarios/sources/NAME.md
appears in scenarios/NAME.yaml, in order (the same checks as the seed's, per source)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drillbook.scenario import Scenario, load_scenario

from .conftest import REPO
from .test_fidelity import squash

SOURCES = sorted((REPO / "scenarios" / "sources").glob("*.md"))


@pytest.fixture(params=SOURCES, ids=[p.stem for p in SOURCES])
def pair(request: pytest.FixtureRequest) -> tuple[str, Scenario]:
    source: Path = request.param
    return source.read_text(encoding="utf-8"), load_scenario(REPO / "scenarios" / f"{source.stem}.yaml")


def test_there_are_two_authored_incidents() -> None:
    assert [p.stem for p in SOURCES] == ["lacp-one-link", "mtu-blackhole"]


def test_title_setup_and_what_you_see(pair: tuple[str, Scenario]) -> None:
    text, scenario = pair
    assert text.startswith(f"Incident Replay: {scenario.title}¶\nSetup¶\n")
    flat = squash(text)
    for part in (scenario.setup.system_context, scenario.setup.time_of_day, scenario.setup.role):
        assert squash(part) in flat
    for rnd in scenario.rounds:
        if rnd.kind == "decision":
            assert squash(rnd.what_you_see) in flat, rnd.id


def test_rounds_cues_labels_results_and_verdicts(pair: tuple[str, Scenario]) -> None:
    text, scenario = pair
    assert [squash(t) for t in re.findall(r"^Round \d: (.*?)¶?$", text, flags=re.M)] == \
        [squash(r.title) for r in scenario.rounds]
    assert [squash(c) for c in re.findall(r'\[Pressure cue: "(.*?)"\]', text)] == \
        [squash(r.pressure_cue) for r in scenario.rounds]
    decisions = [r for r in scenario.rounds if r.kind == "decision"]
    labels = re.findall(r"(?:^|\s)- ([A-D])\) (.*?)(?= - [A-D]\)|\n|$)", text, flags=re.M)
    assert [(k, squash(t)) for k, t in labels] == [(c.key, squash(c.label)) for r in decisions for c in r.choices]
    results = re.findall(r"\[Result:(.*?)\]", text, flags=re.S)
    assert [squash(r) for r in results] == [squash(c.result) for r in decisions for c in r.choices]
    assert re.findall(r"If you chose ([A-D]) \(recommended\)", text) == [r.recommended.key for r in decisions]


def test_every_result_says_where_it_leads(pair: tuple[str, Scenario]) -> None:
    """The wording an importer infers routes from: the recommended result names the next
    round, and a partial clue "eventually leads" there."""
    _, scenario = pair
    for number, rnd in enumerate(scenario.rounds, start=1):
        for choice in rnd.choices:
            if choice.verdict == "recommended":
                assert f"Proceed to Round {number + 1}." in choice.result, (rnd.id, choice.key)
            if choice.verdict == "partial":
                assert f"eventually leads to Round {number + 1}" in choice.result, (rnd.id, choice.key)


def test_remediation_damage_and_cross_references(pair: tuple[str, Scenario]) -> None:
    text, scenario = pair
    actions = re.findall(r"^\d\. (.*)$", text, flags=re.M)
    assert [squash(a) for a in actions] == [squash(a.text) for a in scenario.rounds[-1].actions]
    damage = text.split("Damage Report")[1].split("Cross-References")[0]
    assert [squash(f) for f in re.findall(r"^- (.*)$", damage, flags=re.M)] == \
        [squash(f) for f in scenario.damage.facts]
    refs = re.findall(r"^- (.*)$", text.split("Cross-References")[1], flags=re.M)
    assert [squash(r) for r in refs] == [squash(r.title) for r in scenario.cross_references]
