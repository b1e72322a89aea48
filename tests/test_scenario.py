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


# -- the validator's limits and sentences, exactly (found by ``./run mutate``) -------------------
MINIMAL = (FILES / "minimal.yaml").read_text(encoding="utf-8").splitlines()


def minimal_with(changes: dict[int, str]) -> str:
    """minimal.yaml with some lines (1-based) replaced; a replacement may span several lines."""
    lines = list(MINIMAL)
    for number, text in changes.items():
        lines[number - 1] = text
    return "\n".join(lines) + "\n"


def refusal(text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_text(text, "x.yaml")
    return str(caught.value)


def test_the_given_path_is_the_scenarios_path() -> None:
    assert load_text(minimal_with({}), "somewhere/x.yaml").path == "somewhere/x.yaml"


@pytest.mark.parametrize("line, template, low, high, where", [
    (9, "  sla_minutes: {}", 1, 10_000, "clock field 'sla_minutes'"),
    (19, "        minutes: {}", 0, 1_000, "round 'triage' choice 'A' field 'minutes'"),
    (26, "        outage_minutes: {}", 0, 1_000, "round 'triage' choice 'B' field 'outage_minutes'"),
    (49, "        minutes: {}", 0, 1_000, "round 'fix' action #1 field 'minutes'"),
    (52, "    before_alert_minutes: {}", 0, 10_000, "damage downtime field 'before_alert_minutes'"),
    (53, "    covered_after_minutes: {}", 0, 10_000, "damage downtime field 'covered_after_minutes'"),
    (59, "    - after_minutes: {}", 0, 100_000, "damage risk #1 field 'after_minutes'"),
])
def test_whole_number_limits_are_inclusive(line: int, template: str, low: int, high: int, where: str) -> None:
    for ok in (low, high):
        load_text(minimal_with({line: template.format(ok)}), "x.yaml")
    for bad in (low - 1, high + 1):
        assert refusal(minimal_with({line: template.format(bad)})) == (
            f"x.yaml:{line}: {where}: must be between {low} and {high}, got {bad}")


@pytest.mark.parametrize("line, template, where", [
    (54, '    note: "{}"', "damage downtime field 'note'"),
    (56, '  optimal_summary: "{}"', "damage field 'optimal_summary'"),
    (57, '  worst_summary: "{}"', "damage field 'worst_summary'"),
    (60, '      text: "{}"', "damage risk #1 field 'text'"),
])
def test_damage_texts_are_limited_to_500_characters(line: int, template: str, where: str) -> None:
    load_text(minimal_with({line: template.format("x" * 500)}), "x.yaml")
    assert refusal(minimal_with({line: template.format("x" * 501)})) == (
        f"x.yaml:{line}: {where}: is 501 characters long; the limit is 500")


def test_damage_lists_hold_at_most_20_entries_and_are_lists() -> None:
    def risks(n: int) -> str:
        return "\n".join(f"    - {{after_minutes: {i}, text: \"risk {i}\"}}" for i in range(n))

    def facts(n: int) -> str:
        return '  worst_summary: "w"\n  facts: [' + ", ".join(f'"fact {i}"' for i in range(n)) + "]"

    loaded = load_text(minimal_with({59: risks(20), 60: "", 57: facts(20)}), "x.yaml")
    assert len(loaded.damage.risks) == 20 and len(loaded.damage.facts) == 20
    assert loaded.damage.risks[19].after_minutes == 19 and loaded.damage.facts[19] == "fact 19"
    assert refusal(minimal_with({59: risks(21), 60: ""})) == (
        "x.yaml:58: damage field 'risks': must have between 0 and 20 entries, got 21")
    assert refusal(minimal_with({57: facts(21)})) == (
        "x.yaml:58: damage field 'facts': must have between 0 and 20 entries, got 21")
    assert refusal(minimal_with({58: "  risks: null", 59: "", 60: ""})) == (
        "x.yaml:58: damage field 'risks': must be a list, got nothing (null)")
    assert refusal(minimal_with({57: '  worst_summary: "w"\n  facts: null'})) == (
        "x.yaml:58: damage field 'facts': must be a list, got nothing (null)")
    without = load_text(minimal_with({58: "", 59: "", 60: ""}), "x.yaml")
    assert without.damage.risks == () and without.damage.facts == ()


def test_a_risk_that_is_not_a_mapping_names_its_number_and_line() -> None:
    second = '    - {after_minutes: 5, text: "first"}\n    - 42'
    assert refusal(minimal_with({59: second, 60: ""})) == (
        "x.yaml:60: damage risk #2: expected a mapping of fields, got a number")


def test_damage_downtime_problems_name_the_downtime() -> None:
    assert refusal(minimal_with({54: ""})) == "x.yaml:52: damage downtime field 'note': is missing"


def test_a_start_that_is_not_a_date_is_one_sentence() -> None:
    assert refusal(minimal_with({8: "  start: 42"})) == (
        "x.yaml:8: clock field 'start': must be a date and time like 2025-11-19T03:22:00Z")
    assert refusal(minimal_with({8: '  start: "next tuesday"'})) == (
        "x.yaml:8: clock field 'start': 'next tuesday' is not a date and time like 2025-11-19T03:22:00Z")


@pytest.mark.parametrize("start, utc_hour", [
    ('"2025-11-17T09:00:00Z"', 9), ("2025-11-17T09:00:00Z", 9), ('"2025-11-17T09:00:00"', 9),
    ('"2025-11-17T09:00:00+02:00"', 7), ("2025-11-17 09:00:00", 9),
])
def test_the_clock_starts_in_utc_whatever_the_machines_zone(start: str, utc_hour: int,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A start without a zone is UTC (not the server's local time), and one with an offset is
    converted, so every learner's clock shows the same times."""
    import datetime as dt
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        clock = load_text(minimal_with({8: f"  start: {start}"}), "x.yaml").clock
    finally:
        monkeypatch.undo()
        time.tzset()
    assert clock.start.tzinfo is dt.timezone.utc
    assert clock.start == dt.datetime(2025, 11, 17, utc_hour, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("changes, sentence", [
    ({20: "        next: fixx"},
     "x.yaml:20: round 'triage' choice 'A' field 'next': 'fixx' is not a round id, 'stay' or 'end' (rounds: triage, fix)"),
    ({33: "        next: triage"},
     "x.yaml:33: round 'triage' choice 'C' field 'next': leads back to round 'triage'; rounds may only lead forward "
     "(use 'stay' to retry)"),
    ({20: "        next: end"}, "x.yaml:41: round 'fix': is unreachable: no choice leads to it"),
    ({20: "        next: stay", 39: "        next: fix"},
     "x.yaml:20: round 'triage' choice 'A' field 'next': the recommended choice must move on (a round id or 'end'), "
     "not 'stay'"),
])
def test_graph_problems_are_exact_sentences(changes: dict[int, str], sentence: str) -> None:
    assert refusal(minimal_with(changes)) == sentence


def test_a_round_that_can_never_end_is_an_exact_sentence() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BAD / "never-ends.yaml")
    assert str(caught.value) == f"{BAD / 'never-ends.yaml'}:41: round 'loop': can never end: no path from it reaches 'end'"
