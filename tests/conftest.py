"""Shared fixtures: the repository's paths and its scenarios, loaded once per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drillbook.errors import ScenarioError

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


def assert_error_names_file_line_and_field(load: Callable[[Path], Any], path: Path,
                                           expected: tuple[int, str, str, str]) -> None:
    """``load(path)`` fails with one sentence ``path:line: where: message`` whose line really
    holds the problem. ``expected`` is ``(line, text on that line, where, message fragment)``."""
    line, needle, where, fragment = expected
    with pytest.raises(ScenarioError) as caught:
        load(path)
    error = caught.value
    assert (error.path, error.line, error.where) == (str(path), line, where)
    assert fragment in error.message
    if needle:
        assert needle in path.read_text(encoding="utf-8", errors="replace").splitlines()[line - 1]
    message = str(error)
    assert message.startswith(f"{path}:{line}: ")
    assert "\n" not in message and "Traceback" not in message
