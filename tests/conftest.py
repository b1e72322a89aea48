"""Shared fixtures: the repository's paths and its scenarios, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.scenario import Scenario, load_scenario

REPO = Path(__file__).resolve().parents[1]
SEED_SCENARIO = REPO / "scenarios" / "bond-failover.yaml"
FILES = REPO / "tests" / "files"


@pytest.fixture(scope="session")
def seed() -> Scenario:
    return load_scenario(SEED_SCENARIO)


@pytest.fixture(scope="session")
def all_scenarios() -> list[Scenario]:
    return [load_scenario(p) for p in sorted((REPO / "scenarios").glob("*.yaml"))]
