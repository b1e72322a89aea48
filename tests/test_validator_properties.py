"""Property: whatever YAML document an author (or an attacker) writes, the validator answers with
a valid scenario or one ``file:line: ...`` sentence; no other exception, no multi-line message."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drillbook import _yaml
from drillbook.errors import ScenarioError
from drillbook.model import Scenario
from drillbook.scenario import load_text

from .conftest import SEED_SCENARIO

SEED_TEXT = SEED_SCENARIO.read_text(encoding="utf-8")
SEED_DATA = yaml.safe_load(SEED_TEXT)
PATH = "prop.yaml"
ONE_LINE = re.compile(rf"^{re.escape(PATH)}:[1-9]\d*: [^\n]+$")

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True), st.text(max_size=30),
    st.sampled_from(["eth0", "eth1", "eth9", "bond0", "10.20.0.1", "10.20.0.300", "stay", "end", "recommended",
                     "A", "E", "triage", "0x800003de", "90:e2:ba:4c:10:a0", "active-backup", "maintenance"]),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)), max_leaves=20)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the seed's data that a value could be swapped into."""
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += _paths(value, (*prefix, index))
    return out


SEED_PATHS = _paths(SEED_DATA)[1:]


def _replaced(path: tuple[Any, ...], value: Any) -> Any:
    data = yaml.safe_load(SEED_TEXT)
    holder = data
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return data


@st.composite
def documents(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["mutated-seed", "effect", "dropped-line", "any-data", "any-text"]))
    if kind == "mutated-seed":
        return yaml.safe_dump(_replaced(draw(st.sampled_from(SEED_PATHS)), draw(_VALUES)), allow_unicode=True)
    if kind == "effect":  # a choice's effects get an arbitrary host field and value
        lines = SEED_TEXT.splitlines()
        at = lines.index("          bond0.admin_up: false")
        field = draw(st.sampled_from(["bond0.slaves", "bond0.arp_ip_targets", "bond0.miimon", "eth1.speed_mbps",
                                      "eth1.mac", "bond0.address", "eth0.port", "eth1.switch", "tor-a.state",
                                      "bond0.active_slave", "eth1.link_failure_count", "eth1.firmware"]))
        value = yaml.safe_dump(draw(_VALUES), default_flow_style=True, width=10_000).strip().replace("\n...", "")
        if "\n" in value:
            value = "null"
        return "\n".join([*lines[:at], f"          {field}: {value}", *lines[at + 1:]])
    if kind == "dropped-line":
        lines = SEED_TEXT.splitlines()
        drop = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        return "\n".join(lines[:drop] + lines[drop + 1:])
    if kind == "any-data":
        return yaml.safe_dump(draw(_VALUES), allow_unicode=True)
    return draw(st.text(max_size=200))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=documents())
def test_any_yaml_is_a_scenario_or_one_line_error(text: str) -> None:
    try:
        scenario = load_text(text, PATH)
    except ScenarioError as exc:
        assert ONE_LINE.match(str(exc)), str(exc)
    else:
        assert isinstance(scenario, Scenario)


def test_the_fast_loader_measures_aliases_before_it_constructs() -> None:
    bomb = "a: &a ['x','x','x','x','x','x','x','x','x']\n" + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    if _yaml._FastLineLoader is None:
        pytest.skip("PyYAML without libyaml")
    with pytest.raises(ValueError, match="too many values"):
        _yaml._FastLineLoader(bomb, "bomb.yaml").get_single_data()
    assert _yaml.expanded_size(yaml.compose(SEED_TEXT, Loader=yaml.SafeLoader)) < _yaml.MAX_VALUES // 50
