"""The seed incident is encoded completely: every cue, "what you see", choice, result text,
remediation line, damage fact and cross-reference of the seed appears in the loaded scenario."""

from __future__ import annotations

import re

import pytest

from drillbook.scenario import Scenario

from .conftest import FILES, REPO

SEED_COPY = FILES / "seed-bond-failover.txt"
SEED_SHARED = REPO.parent / "shared" / "seeds" / "000_39fce4a037222b15.txt"


def squash(text: str) -> str:
    """Compare words, not layout: the seed lost its inline-code markup and some spaces."""
    return re.sub(r"[\s`¶]+", "", text)


def seed_text() -> str:
    return SEED_COPY.read_text(encoding="utf-8")


def test_seed_copy_matches_shared_seed() -> None:
    if not SEED_SHARED.exists():
        pytest.skip("shared/ is not checked out beside the repository")
    assert SEED_COPY.read_text(encoding="utf-8") == SEED_SHARED.read_text(encoding="utf-8")


def test_every_pressure_cue(seed: Scenario) -> None:
    cues = re.findall(r'\[Pressure cue: "(.*?)"\]', seed_text())
    assert len(cues) == 4
    assert [squash(c) for c in cues] == [squash(r.pressure_cue) for r in seed.rounds]


def test_every_result_text_word_for_word(seed: Scenario) -> None:
    results = re.findall(r"\[Result:(.*?)\]", seed_text(), flags=re.S)
    assert len(results) == 12
    ours = [squash(c.result) for r in seed.rounds for c in r.choices]
    assert [squash(r) for r in results] == ours


def test_every_choice_label(seed: Scenario) -> None:
    labels = re.findall(r"(?:^|\s)- ([A-D])\) (.*?)(?= - [A-D]\)|\n|$)", seed_text(), flags=re.M)
    assert len(labels) == 12
    ours = [(c.key, squash(c.label)) for r in seed.rounds for c in r.choices]
    assert [(k, squash(t)) for k, t in labels] == ours


def test_recommended_choices_match_seed(seed: Scenario) -> None:
    recommended = re.findall(r"If you chose ([A-D]) \(recommended\)", seed_text())
    assert recommended == [r.recommended.key for r in seed.rounds if r.kind == "decision"]


def test_what_you_see_and_setup(seed: Scenario) -> None:
    text = squash(seed_text())
    for rnd in seed.rounds:
        if rnd.kind == "decision":
            assert squash(rnd.what_you_see) in text, rnd.id
    for part in (seed.setup.system_context, seed.setup.time_of_day, seed.setup.role, seed.title):
        assert squash(part) in text


def test_remediation_actions(seed: Scenario) -> None:
    actions = re.findall(r"^\d\. (.*)$", seed_text(), flags=re.M)
    assert len(actions) == 5
    remediation = seed.rounds[-1]
    assert remediation.kind == "remediation"
    assert [squash(a) for a in actions] == [squash(a.text) for a in remediation.actions]


def test_damage_facts_and_cross_references(seed: Scenario) -> None:
    text = seed_text()
    damage = text.split("Damage Report")[1].split("Cross-References")[0]
    facts = re.findall(r"^- (.*)$", damage, flags=re.M)
    assert [squash(f) for f in facts] == [squash(f) for f in seed.damage.facts]
    refs = re.findall(r"^- (.*)$", text.split("Cross-References")[1], flags=re.M)
    assert [squash(r) for r in refs] == [squash(r.title) for r in seed.cross_references]


def test_round_titles(seed: Scenario) -> None:
    titles = re.findall(r"^Round \d: (.*?)¶?$", seed_text(), flags=re.M)
    assert [squash(t) for t in titles] == [squash(r.title) for r in seed.rounds]

