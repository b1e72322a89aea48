"""Scenario loading: the good files load, and every malformed file gets one precise sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from drillbook.errors import ScenarioError
from drillbook.scenario import VERDICTS, load_scenario, load_text

from .conftest import FILES, REPO, assert_error_names_file_line_and_field

BAD = FILES / "bad"

# file -> (line, text the reported line must contain, where-fragment, message-fragment)
CASES: dict[str, tuple[int, str, str, str]] = {
    "syntax-error.yaml": (10, "rounds:", "", "YAML syntax error"),
    "tab-indent.yaml": (6, "\trole:", "", "YAML syntax error: found character '\\t'"),
    "unknown-verdict.yaml": (31, "verdict: meh", "round 'triage' choice 'C' field 'verdict'", "unknown value 'meh' (expected one of: recommended, partial"),
    "unknown-key-top.yaml": (61, "colour:", "field 'colour'", "unknown key 'colour'"),
    "unknown-key-choice.yaml": (32, "minuts:", "round 'triage' choice 'C' field 'minuts'", "did you mean 'minutes'?"),
    "duplicate-round-id.yaml": (41, "- id: triage", "round 'triage' field 'id'", "duplicate round id 'triage'"),
    "duplicate-key.yaml": (3, "title:", "field 'title'", "duplicate key 'title' (first at line 2)"),
    "duplicate-choice-key.yaml": (35, "- key: C", "round 'triage' field 'key'", "duplicate choice key 'C'"),
    "dangling-next.yaml": (20, "next: fixx", "round 'triage' choice 'A' field 'next'", "'fixx' is not a round id"),
    "backwards-next.yaml": (56, "next: triage", "round 'check' choice 'B' field 'next'", "leads back to round 'triage'"),
    "unreachable-round.yaml": (41, "- id: fix", "round 'fix'", "is unreachable"),
    "never-ends.yaml": (41, "- id: loop", "round 'loop'", "can never end"),
    "no-recommended.yaml": (15, "choices:", "round 'triage' field 'choices'", "no choice has verdict 'recommended'"),
    "recommended-stays.yaml": (20, "next: stay", "round 'triage' choice 'A' field 'next'", "recommended choice must move on"),
    "non-string-text.yaml": (34, "result: 42", "round 'triage' choice 'C' field 'result'", "must be text, got a number"),
    "list-as-text.yaml": (30, "label: [wait, see]", "round 'triage' choice 'C' field 'label'", "must be text, got a list"),
    "python-tag.yaml": (2, "!!python/object/apply", "", "YAML tags like 'tag:yaml.org,2002:python/object/apply:os.system' are not allowed"),
    "python-name-tag.yaml": (9, "!!python/name:os.system", "", "are not allowed: drillbook files are plain data"),
    "empty.yaml": (1, "", "", "the file is empty"),
    "comments-only.yaml": (1, "# nothing", "", "the file is empty"),
    "binary-junk.yaml": (2, "", "", "not UTF-8 text"),
    "top-level-list.yaml": (1, "- id: minimal", "", "expected a mapping of fields, got a list"),
    "three-choices.yaml": (15, "choices:", "round 'triage' field 'choices'", "must have exactly 4 entries, got 3"),
    "bad-key-letter.yaml": (35, "- key: E", "round 'triage' field 'key'", "unknown value 'E' (expected one of: A, B, C, D)"),
    "negative-minutes.yaml": (32, "minutes: -4", "round 'triage' choice 'C' field 'minutes'", "must be between 0 and 1000, got -4"),
    "bool-minutes.yaml": (32, "minutes: yes", "round 'triage' choice 'C' field 'minutes'", "must be a whole number, got true/false"),
    "bad-start.yaml": (8, "next tuesday", "clock field 'start'", "is not a date and time"),
    "missing-title.yaml": (11, "- id: triage", "round 'triage' field 'title'", "is missing"),
    "bad-id.yaml": (1, "id:", "field 'id'", "is not a valid id"),
    "empty-text.yaml": (13, "pressure_cue:", "round 'triage' field 'pressure_cue'", "must not be empty"),
    "reserved-round-id.yaml": (41, "- id: end", "round 'end' field 'id'", "is reserved"),
    "bad-cross-ref.yaml": (62, "../../etc/passwd", "cross reference #1 field 'notebook'", "must be a notebook path inside course/"),
    "huge-string.yaml": (1, "", "", "the file is 5,001,514 bytes; scenarios are limited to 1,000,000"),
    "long-text.yaml": (34, "yyyy", "round 'triage' choice 'C' field 'result'", "is 30,000 characters long; the limit is 20,000"),
    "effects-without-host.yaml": (35, "effects:", "round 'triage' choice 'C' field 'effects'", "needs a 'host:' section"),
    "bad-effect-object.yaml": (163, "eth9.admin_up", "round 'triage' choice 'C' effects field 'eth9.admin_up'", "unknown host object 'eth9'"),
    "bad-effect-type.yaml": (126, 'eth1.degraded: "no"', "round 'alert' choice 'D' effects field 'eth1.degraded'", "must be true/false, got text"),
    "bad-effect-field.yaml": (223, "bond0.mii_mon", "round 'root-cause' choice 'D' effects field 'bond0.mii_mon'", "'bond0' has no field 'mii_mon'"),
    "bad-mac.yaml": (68, "90-E2-BA", "host interface #2 field 'mac'", "is not a MAC address"),
    "bad-slave.yaml": (79, "eth2", "host bond field 'slaves'", "unknown interface 'eth2'"),
    "bad-lacp-rate.yaml": (85, "lacp_rate: quick", "host bond field 'lacp_rate'", "unknown value 'quick' (expected one of: slow, fast)"),
    "bad-system-mac.yaml": (56, "00:1C:73", "host switch #1 field 'system_mac'", "is not a MAC address"),
    "bad-effect-mtu.yaml": (153, 'bond0.mtu: "1500"', "round 'triage' choice 'B' effects field 'bond0.mtu'", "must be a number, got text"),
    "bad-arp-target.yaml": (83, "gateway]", "host bond field 'arp_ip_targets'",
                            "item 2 must be an IPv4 address like 10.20.0.1, got 'gateway'"),
    "effect-unknown-slave.yaml": (164, "bond0.slaves: [eth0, eth9]", "round 'triage' choice 'C' effects field 'bond0.slaves'",
                                  "unknown interface 'eth9' (interfaces: eth0, eth1)"),
    "effect-duplicate-slave.yaml": (164, "[eth0, eth1, eth0]", "round 'triage' choice 'C' effects field 'bond0.slaves'",
                                    "interface 'eth0' is listed twice"),
    "effect-arp-targets-not-ipv4.yaml": (164, "[1, [2], {x: 3}]",
                                         "round 'triage' choice 'C' effects field 'bond0.arp_ip_targets'",
                                         "item 1 must be an IPv4 address like 10.20.0.1, got a number"),
    "effect-arp-target-out-of-range.yaml": (166, "- 10.20.0.300",
                                            "round 'triage' choice 'C' effects field 'bond0.arp_ip_targets'",
                                            "item 2 must be an IPv4 address like 10.20.0.1, got '10.20.0.300'"),
    "effect-absurd-speed.yaml": (164, "eth1.speed_mbps: 100000000000",
                                 "round 'triage' choice 'C' effects field 'eth1.speed_mbps'",
                                 "must be between 10 and 800000, got 100000000000"),
    "alias-bomb.yaml": (169, "- &a4 [*a3,", "", "more than 50,000 values once its aliases are expanded (an alias bomb?)"),
    "recursive-alias.yaml": (164, "&loop [10.20.0.1, *loop]", "", "the alias *loop refers to a value that contains it"),
}


def test_corpus_is_complete() -> None:
    """Every file in the corpus has an expectation, and there are at least 20 of them."""
    assert sorted(p.name for p in BAD.iterdir()) == sorted(CASES)
    assert len(CASES) >= 20


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_scenario_names_file_line_and_field(name: str) -> None:
    assert_error_names_file_line_and_field(load_scenario, BAD / name, CASES[name])


def test_no_other_exception_type_escapes_on_random_mutations() -> None:
    """Flip, drop and duplicate lines of a good file: only ScenarioError may come out."""
    import random

    lines = (FILES / "minimal.yaml").read_text().splitlines()
    rng = random.Random(1234)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(400):
        mutated = list(lines)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(mutated))
            op = rng.choice(["drop", "dup", "indent", "junk", "swap"])
            if op == "drop":
                del mutated[i]
            elif op == "dup":
                mutated.insert(i, mutated[i])
            elif op == "indent":
                mutated[i] = "  " + mutated[i]
            elif op == "junk":
                mutated[i] = mutated[i] + rng.choice([" ]", ": :", " &a", " *b", " !!str", " {", "\t", " 1e999"])
            else:
                j = rng.randrange(len(mutated))
                mutated[i], mutated[j] = mutated[j], mutated[i]
        try:
            load_text("\n".join(mutated), "mutant.yaml")
            outcomes["ok"] += 1
        except ScenarioError as exc:
            assert exc.path == "mutant.yaml"
            assert str(exc).startswith("mutant.yaml")
            outcomes["error"] += 1
    assert outcomes["error"] > 200  # the mutations really did break most files


def test_yaml_tags_are_never_executed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    calls: list[str] = []
    monkeypatch.setattr(os, "system", lambda cmd: calls.append(cmd) or 0)
    with pytest.raises(ScenarioError):
        load_scenario(BAD / "python-tag.yaml")
    assert calls == []


def test_good_scenarios_load(all_scenarios: list) -> None:
    assert {s.id for s in all_scenarios} >= {"bond-failover"}


def test_loading_uses_only_safe_constructors() -> None:
    """The loader derives from SafeLoader, so unsafe tags cannot even be registered on it."""
    from drillbook._yaml import _LineLoader

    assert issubclass(_LineLoader, yaml.SafeLoader)
    assert not issubclass(_LineLoader, (yaml.FullLoader, yaml.UnsafeLoader))


def test_libyaml_loader_is_safe_and_gives_the_same_data_and_lines() -> None:
    """The fast (libyaml) loader has the same safe constructors and the same result, lines
    included, as the pure-Python one on every YAML file of the course and the test fixtures."""
    from drillbook import _yaml

    if _yaml._FastLineLoader is None:
        pytest.skip("PyYAML without libyaml: only the pure-Python loader exists")
    assert issubclass(_yaml._FastLineLoader, yaml.constructor.SafeConstructor)
    assert not issubclass(_yaml._FastLineLoader, (yaml.constructor.FullConstructor, yaml.FullLoader))

    def same(a: object, b: object) -> bool:
        if type(a) is not type(b) or a != b:
            return False
        if isinstance(a, dict):
            return (a.line, a.key_lines) == (b.line, b.key_lines) and all(same(a[k], b[k]) for k in a)  # type: ignore[attr-defined]
        if isinstance(a, list):
            return (a.line, a.item_lines) == (b.line, b.item_lines) and all(map(same, a, b))  # type: ignore[attr-defined]
        return True

    files = sorted({*REPO.glob("scenarios/*.yaml"), *REPO.glob("course/**/*.yaml"), *FILES.rglob("*.yaml")})
    compared = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if "\x00" in text:
            continue
        try:
            reference = _yaml._LineLoader(text, str(path)).get_single_data()
        except Exception:  # noqa: BLE001 - files the reference refuses are covered by CASES
            continue
        fast = _yaml._FastLineLoader(text, str(path)).get_single_data()
        assert same(reference, fast), path
        compared += 1
    assert compared >= 3


def test_billion_laughs_does_not_blow_up() -> None:
    bomb = "a: &a ['x','x','x','x','x','x','x','x','x']\n" + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")
    )
    # refused while loading, at the alias that crosses the limit (e: 9**5 values), before any walk
    with pytest.raises(ScenarioError, match=r"^bomb.yaml:5: the YAML has more than 50,000 values once its "
                                            r"aliases are expanded \(an alias bomb\?\)$"):
        load_text(bomb, "bomb.yaml")


def test_verdicts_cover_the_required_set() -> None:
    assert {"recommended", "partial", "band-aid", "harmful", "wasted"} <= set(VERDICTS)


def test_messages_quote_values_without_reformatting() -> None:
    text = (FILES / "minimal.yaml").read_text().replace("verdict: wasted", "verdict: <b>meh</b>")
    with pytest.raises(ScenarioError) as caught:
        load_text(text, "x.yaml")
    assert re.search(r"unknown value '<b>meh</b>'", str(caught.value))
