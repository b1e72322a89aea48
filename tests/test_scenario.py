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


# -- the host section (host/model.py): defaults, limits and sentences, exactly ------------------
SEED_TEXT = (REPO / "scenarios" / "bond-failover.yaml").read_text(encoding="utf-8")
SEED_EFFECTS = "        tor-a.state: maintenance\n        eth0.carrier: false\n"


def seed_with(*swaps: tuple[str, str]) -> str:
    text = SEED_TEXT
    for old, new in swaps:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def extra_interfaces(names: list[str]) -> str:
    return "".join(f"    - {{name: {n}, driver: ixgbe, bus_info: \"b\", mac: \"90:e2:ba:00:00:{i:02x}\", firmware: f, "
                   f"speed_mbps: 10000, port: FIBRE, switch: tor-a, carrier: true}}\n" for i, n in enumerate(names))


def test_host_fields_left_out_take_their_defaults() -> None:
    from drillbook.host.model import Bond, Interface, Switch

    text = seed_with(("  console_minutes: 1             # each console command costs a minute at 3 a.m.\n", ""),
                     ("  history:\n    - at_minutes: -2\n      note: \"ToR switch A goes into its scheduled maintenance\"\n"
                      "      effects:\n" + SEED_EFFECTS, ""))
    host = load_text(text, "x.yaml").host
    assert host is not None
    assert host.interfaces["eth0"] == Interface(
        name="eth0", driver="ixgbe", bus_info="0000:3b:00.0", mac="90:e2:ba:4c:10:a0", firmware="0x800003de",
        speed_mbps=10000, port="FIBRE", switch="tor-a", carrier=True, degraded=False, admin_up=True,
        link_failure_count=0, lacp=True, switch_port=1, story_mii_down=False)
    assert host.bond == Bond(name="bond0", mode="active-backup", miimon=100, slaves=["eth0", "eth1"],
                             address="10.20.0.15/24", active_slave="eth0", primary="eth0")
    assert (host.bond.updelay, host.bond.downdelay, host.bond.arp_interval, host.bond.arp_ip_targets,
            host.bond.admin_up, host.bond.mtu, host.bond.lacp_rate, host.bond.ad_select, host.bond.min_links,
            host.bond.xmit_hash_policy) == (0, 0, 0, [], True, 1500, "slow", "stable", 0, "layer2")
    assert host.switches["tor-a"] == Switch("tor-a", "ToR switch A", "up")
    assert (host.switches["tor-a"].mtu, host.switches["tor-a"].system_mac, host.switches["tor-a"].lacp_key) == (
        9216, "00:00:00:00:00:00", 0)
    assert (host.hostname, host.kernel_release, host.uptime_minutes, host.gateway, host.firmware_baseline,
            host.console_minutes, host.history) == ("db-primary-01", "6.8.0-51-generic", 12961, "10.20.0.1",
                                                    "0x800003de", 1, [])


def test_host_fields_given_are_read_as_given() -> None:
    from drillbook.host.model import Bond, HistoryEvent, Interface, Switch

    text = seed_with(
        ("      carrier: true\n    - name: eth1",
         "      carrier: true\n      degraded: true\n      admin_up: false\n      link_failure_count: 7\n"
         "      lacp: false\n      switch_port: 9\n      story_mii_down: true\n    - name: eth1"),
        ("    address: 10.20.0.15/24\n",
         "    address: 10.20.0.15/24\n    updelay: 200\n    downdelay: 300\n    arp_interval: 1000\n"
         "    arp_ip_targets: [10.20.0.1, 10.20.0.2]\n    admin_up: false\n    mtu: 9000\n    lacp_rate: fast\n"
         "    ad_select: count\n    min_links: 2\n    xmit_hash_policy: layer3+4\n"),
        ('{name: tor-a, label: "ToR switch A", state: up}',
         '{name: tor-a, label: "ToR switch A", state: up, mtu: 1500, system_mac: "00:1c:73:00:00:01", lacp_key: 12}'),
        ("  console_minutes: 1 ", "  console_minutes: 4 "),
    )
    host = load_text(text, "x.yaml").host
    assert host is not None
    assert host.interfaces["eth0"] == Interface(
        name="eth0", driver="ixgbe", bus_info="0000:3b:00.0", mac="90:e2:ba:4c:10:a0", firmware="0x800003de",
        speed_mbps=10000, port="FIBRE", switch="tor-a", carrier=True, degraded=True, admin_up=False,
        link_failure_count=7, lacp=False, switch_port=9, story_mii_down=True)
    assert host.bond == Bond(name="bond0", mode="active-backup", miimon=100, slaves=["eth0", "eth1"],
                             address="10.20.0.15/24", active_slave="eth0", primary="eth0", updelay=200,
                             downdelay=300, arp_interval=1000, arp_ip_targets=["10.20.0.1", "10.20.0.2"],
                             admin_up=False, mtu=9000, lacp_rate="fast", ad_select="count", min_links=2,
                             xmit_hash_policy="layer3+4")
    assert host.switches["tor-a"] == Switch("tor-a", "ToR switch A", "up", mtu=1500, system_mac="00:1c:73:00:00:01",
                                            lacp_key=12)
    assert host.console_minutes == 4
    assert host.history == [HistoryEvent(-2, "ToR switch A goes into its scheduled maintenance",
                                         {"tor-a.state": "maintenance", "eth0.carrier": False})]


@pytest.mark.parametrize("old, template, limit, where", [
    ("    - name: eth0\n      driver: ixgbe", "    - name: eth0\n      driver: {}", 40, "host interface #1 field 'driver'"),
    ('"0000:3b:00.0"', "{}", 40, "host interface #1 field 'bus_info'"),
    ('      firmware: "0x800003de"', "      firmware: {}", 60, "host interface #1 field 'firmware'"),
    ('label: "ToR switch A"', "label: {}", 80, "host switch #1 field 'label'"),
    ("kernel_release: 6.8.0-51-generic", "kernel_release: {}", 64, "host field 'kernel_release'"),
    ('firmware_baseline: "0x800003de"', "firmware_baseline: {}", 60, "host field 'firmware_baseline'"),
    ('note: "ToR switch A goes into its scheduled maintenance"', "note: {}", 200, "host history #1 field 'note'"),
])
def test_host_texts_have_their_limits(old: str, template: str, limit: int, where: str) -> None:
    load_text(seed_with((old, template.format("x" * limit))), "x.yaml")
    text = seed_with((old, template.format("x" * (limit + 1))))
    assert refusal(text) == (f"x.yaml:{line_of(text, 'x' * (limit + 1))}: {where}: "
                             f"is {limit + 1} characters long; the limit is {limit}")


@pytest.mark.parametrize("old, template, low, high, where", [
    ("uptime_minutes: 12961", "uptime_minutes: {}", 1, 10_000_000, "host field 'uptime_minutes'"),
    ("console_minutes: 1 ", "console_minutes: {} ", 0, 60, "host field 'console_minutes'"),
    ("at_minutes: -2", "at_minutes: {}", -100_000, 0, "host history #1 field 'at_minutes'"),
])
def test_host_numbers_have_their_ranges(old: str, template: str, low: int, high: int, where: str) -> None:
    for ok in (low, high):
        load_text(seed_with((old, template.format(ok))), "x.yaml")
    for bad in (low - 1, high + 1):
        text = seed_with((old, template.format(bad)))
        assert refusal(text) == f"x.yaml:{line_of(text, template.format(bad))}: {where}: must be between {low} and {high}, got {bad}"


def test_host_lists_have_their_sizes() -> None:
    two_switches = '    - {name: tor-a, label: "ToR switch A", state: up}\n    - {name: tor-b, label: "ToR switch B", state: up}\n'
    more = "".join(f"    - {{name: sw{i}, label: s, state: up}}\n" for i in range(15))
    assert refusal(seed_with((two_switches, two_switches + more))).endswith(
        ": host field 'switches': must have between 1 and 16 entries, got 17")
    load_text(seed_with((two_switches, two_switches + more.split("\n", 1)[1])), "x.yaml")
    one_switch = seed_with((two_switches, two_switches.split("\n", 1)[0] + "\n"), ("      switch: tor-b", "      switch: tor-a"))
    assert set(load_text(one_switch, "x.yaml").host.switches) == {"tor-a"}  # type: ignore[union-attr]
    assert refusal(seed_with(("  switches:\n" + two_switches, "  switches: []\n"))).endswith(
        ": host field 'switches': must have between 1 and 16 entries, got 0")

    names = [f"eth{i}" for i in range(2, 17)]
    assert refusal(seed_with(("  bond:\n", extra_interfaces(names) + "  bond:\n"))).endswith(
        ": host field 'interfaces': must have between 1 and 16 entries, got 17")
    load_text(seed_with(("  bond:\n", extra_interfaces(names[:-1]) + "  bond:\n")), "x.yaml")

    slaves = ", ".join(["eth0", "eth1"] + names[:7])
    text = seed_with(("  bond:\n", extra_interfaces(names[:7]) + "  bond:\n"), ("slaves: [eth0, eth1]", f"slaves: [{slaves}]"))
    assert refusal(text) == f"x.yaml:{line_of(text, 'slaves: [')}: host bond field 'slaves': must have between 1 and 8 entries, got 9"
    eight = ", ".join(["eth0", "eth1"] + names[:6])
    load_text(seed_with(("  bond:\n", extra_interfaces(names[:7]) + "  bond:\n"), ("slaves: [eth0, eth1]", f"slaves: [{eight}]")), "x.yaml")
    # one slave is enough: see bond0.slaves: [eth1] in test_effects_that_are_allowed_are_kept_as_written
    assert refusal(seed_with(("slaves: [eth0, eth1]", "slaves: []"))).endswith(
        ": host bond field 'slaves': must have between 1 and 8 entries, got 0")

    targets = [f"10.20.0.{i}" for i in range(1, 18)]
    address = "    address: 10.20.0.15/24\n"
    assert refusal(seed_with((address, address + f"    arp_ip_targets: [{', '.join(targets)}]\n"))).endswith(
        ": host bond field 'arp_ip_targets': must have between 0 and 16 entries, got 17")
    load_text(seed_with((address, address + f"    arp_ip_targets: [{', '.join(targets[:16])}]\n")), "x.yaml")
    assert refusal(seed_with((address, address + "    arp_ip_targets: null\n"))).endswith(
        ": host bond field 'arp_ip_targets': must be a list, got nothing (null)")
    twice = seed_with((address, address + "    arp_ip_targets: [10.20.0.1, 10.20.0.1]\n"))
    assert refusal(twice) == f"x.yaml:{line_of(twice, 'arp_ip_targets')}: host bond field 'arp_ip_targets': '10.20.0.1' is listed twice"

    history = "  history:\n    - at_minutes: -2\n"
    entries = "".join(f"    - {{at_minutes: -{i}, note: n}}\n" for i in range(1, 50))
    assert len(load_text(seed_with((history, history.split("\n", 1)[0] + "\n" + entries + history.split("\n", 1)[1])),
                         "x.yaml").host.history) == 50  # type: ignore[union-attr]
    assert refusal(seed_with((history, "  history:\n    - {at_minutes: -50, note: n}\n" + entries + "    - at_minutes: -2\n"))).endswith(
        ": host field 'history': must have between 0 and 50 entries, got 51")
    assert refusal(seed_with(("  history:\n    - at_minutes: -2\n      note: \"ToR switch A goes into its scheduled maintenance\"\n"
                              "      effects:\n" + SEED_EFFECTS, "  history: null\n"))).endswith(
        ": host field 'history': must be a list, got nothing (null)")


@pytest.mark.parametrize("swaps, needle, sentence", [
    ((("{name: tor-b, label", "{name: tor-a, label"),), "{name: tor-a, label: \"ToR switch B\"",
     "host switch #2 field 'name': duplicate switch name 'tor-a'"),
    ((("    - name: eth1\n", "    - name: eth0\n"),), "    - name: eth0\n      driver: ixgbe\n      bus_info: \"0000:d8",
     "host interface #2 field 'name': duplicate name 'eth0'"),
    ((("    - name: eth0\n", "    - name: tor-a\n"), ("slaves: [eth0, eth1]", "slaves: [tor-a, eth1]"),
      ("primary: eth0", "primary: eth1"), ("active_slave: eth0", "active_slave: eth1")),
     "    - name: tor-a\n", "host interface #1 field 'name': duplicate name 'tor-a'"),
    ((("      switch: tor-a", "      switch: tor-z"),), "switch: tor-z",
     "host interface #1 field 'switch': unknown switch 'tor-z' (switches: tor-a, tor-b)"),
    ((("primary: eth0", "primary: eth9"),), "primary: eth9",
     "host bond field 'primary': 'eth9' is not one of the bond's slaves (eth0, eth1)"),
    ((("active_slave: eth0", "active_slave: eth9"),), "active_slave: eth9",
     "host bond field 'active_slave': 'eth9' is not one of the bond's slaves (eth0, eth1)"),
    ((("gateway: 10.20.0.1", "gateway: 10.20.0"),), "gateway:", "host field 'gateway': '10.20.0' is not an IPv4 address"),
    ((("gateway: 10.20.0.1", "gateway: 10.200.100.10000"),), "gateway:",
     "host field 'gateway': is 16 characters long; the limit is 15"),
    ((("address: 10.20.0.15/24", "address: 10.20.0.15/33"),), "address:",
     "host bond field 'address': '10.20.0.15/33' is not an IPv4 address with prefix like 10.20.0.15/24"),
    ((("address: 10.20.0.15/24", "address: 10.20.0.300/24"),), "address:",
     "host bond field 'address': '10.20.0.300/24' is not an IPv4 address with prefix like 10.20.0.15/24"),
    ((("address: 10.20.0.15/24", "address: 10.20.0.15"),), "address:",
     "host bond field 'address': '10.20.0.15' is not an IPv4 address with prefix like 10.20.0.15/24"),
    ((("address: 10.20.0.15/24", "address: 10.200.100.100/2400"),), "address:",
     "host bond field 'address': is 19 characters long; the limit is 18"),
    ((('mac: "90:e2:ba:4c:10:a0"', 'mac: "90:E2:BA:4C:10:A0"'),), "mac:",
     "host interface #1 field 'mac': '90:E2:BA:4C:10:A0' is not a MAC address like 90:e2:ba:4c:10:a0 (lowercase)"),
    ((('mac: "90:e2:ba:4c:10:a0"', 'mac: "90:e2:ba:4c:10:a0:ff"'),), "mac:",
     "host interface #1 field 'mac': is 20 characters long; the limit is 17"),
    ((('    - {name: tor-a, label: "ToR switch A", state: up}', "    - 42"),), "    - 42",
     "host switch #1: expected a mapping of fields, got a number"),
    ((("  interfaces:\n", "  interfaces:\n    - 42\n"),), "    - 42", "host interface #1: expected a mapping of fields, got a number"),
    ((("  history:\n", "  history:\n    - {at_minutes: -3, note: first}\n    - 42\n"),), "    - 42",
     "host history #2: expected a mapping of fields, got a number"),
])
def test_host_problems_are_exact_sentences(swaps: tuple[tuple[str, str], ...], needle: str, sentence: str) -> None:
    text = seed_with(*swaps)
    assert refusal(text) == f"x.yaml:{line_of(text, needle)}: {sentence}"


def test_an_interfaces_switch_name_has_its_limit_before_it_is_looked_up() -> None:
    too_long = seed_with(("      switch: tor-a", "      switch: " + "s" * 65))
    assert refusal(too_long) == (f"x.yaml:{line_of(too_long, 's' * 65)}: host interface #1 field 'switch': "
                                 "is 65 characters long; the limit is 64")
    unknown = seed_with(("      switch: tor-a", "      switch: " + "s" * 64))
    assert refusal(unknown) == (f"x.yaml:{line_of(unknown, 's' * 64)}: host interface #1 field 'switch': "
                                f"unknown switch '{'s' * 64}' (switches: tor-a, tor-b)")


def test_the_clean_host_shapes_load() -> None:
    host = load_text(seed_with(("address: 10.20.0.15/24", "address: 10.20.0.15/32")), "x.yaml").host
    assert host is not None and host.bond.address == "10.20.0.15/32"


INTERFACE_FIELDS = ("driver, bus_info, mac, firmware, speed_mbps, port, switch, carrier, degraded, admin_up, "
                    "link_failure_count, lacp, switch_port, story_mii_down")


@pytest.mark.parametrize("effect, sentence", [
    ("bond0.active_slave: eth9", "'eth9' is not one of the bond's slaves (eth0, eth1)"),
    ("bond0.primary: eth9", "'eth9' is not one of the bond's slaves (eth0, eth1)"),
    ("bond0.mode: turbo", "unknown bond mode 'turbo' (expected one of: balance-rr, active-backup, balance-xor, "
                          "broadcast, 802.3ad, balance-tlb, balance-alb)"),
    ("tor-a.state: melted", "unknown switch state 'melted' (expected one of: up, maintenance, down)"),
    ("bond0.lacp_rate: quick", "unknown lacp_rate 'quick' (expected one of: slow, fast)"),
    ("bond0.ad_select: random", "unknown ad_select 'random' (expected one of: stable, bandwidth, count)"),
    ("bond0.xmit_hash_policy: l7", "unknown xmit_hash_policy 'l7' (expected one of: layer2, layer3+4, layer2+3, "
                                   "encap2+3, encap3+4, vlan+srcmac)"),
    ('eth0.mac: "90:E2:BA:4C:10:A0"', "'90:E2:BA:4C:10:A0' is not a MAC address like 90:e2:ba:4c:10:a0 (lowercase)"),
    ('tor-a.system_mac: "nope"', "'nope' is not a MAC address like 90:e2:ba:4c:10:a0 (lowercase)"),
    ("bond0.address: 10.20.0.15/33", "'10.20.0.15/33' is not an IPv4 address with prefix like 10.20.0.15/24"),
    ("eth0.port: Token Ring", "unknown value 'Token Ring' (expected one of: FIBRE, Twisted Pair, Direct Attach Copper, "
                              "Other, None)"),
    ("eth0.switch: tor-z", "unknown switch 'tor-z' (switches: tor-a, tor-b)"),
    ("eth0.driver: " + "x" * 41, "is 41 characters long; the limit is 40"),
    ("eth0.speed_mbps: 5", "must be between 10 and 800000, got 5"),
    ("eth0.carrier: 1", "must be true/false, got a number"),
    ("host.explode: true", "'host' has no action 'explode' (actions: reboot, restart_networking)"),
    ("host.reboot: 1", "an action is switched on with 'true', got a number"),
    ("eth0.reset: false", "an action is switched on with 'true', got true/false"),
    ("bond0.reset: true", "'bond0' has no field 'reset' (fields: mode, miimon, slaves, address, active_slave, primary, "
                          "updelay, downdelay, arp_interval, arp_ip_targets, admin_up, mtu, lacp_rate, ad_select, "
                          "min_links, xmit_hash_policy)"),
    ("nic9.speed_mbps: 10", "unknown host object 'nic9' (known: host, eth0, eth1, bond0, tor-a, tor-b)"),
    ("eth0.speed.mbps: 10", f"'eth0' has no field 'speed.mbps' (fields: {INTERFACE_FIELDS})"),
    ("eth0.name: eth5", f"'eth0' has no field 'name' (fields: {INTERFACE_FIELDS})"),
])
def test_effect_problems_are_exact_sentences(effect: str, sentence: str) -> None:
    text = seed_with((SEED_EFFECTS, f"        {effect}\n"))
    key = effect.split(":", 1)[0]
    assert refusal(text) == f"x.yaml:{line_of(text, '        ' + key)}: host history #1 effects field '{key}': {sentence}"


def test_effects_that_are_allowed_are_kept_as_written() -> None:
    effects = ("        bond0.active_slave: eth1\n        bond0.primary: null\n        bond0.mode: 802.3ad\n"
               "        tor-a.state: down\n        bond0.lacp_rate: fast\n        bond0.ad_select: count\n"
               "        bond0.xmit_hash_policy: layer2+3\n        eth0.mac: \"90:e2:ba:00:00:01\"\n"
               "        tor-a.system_mac: \"00:1c:73:00:00:02\"\n        bond0.address: 10.20.0.16/32\n"
               "        eth0.port: Other\n        eth0.switch: tor-b\n        host.reboot: true\n        eth1.reset: true\n"
               "        bond0.slaves: [eth1]\n        bond0.arp_ip_targets: [10.20.0.1]\n")
    host = load_text(seed_with((SEED_EFFECTS, effects)), "x.yaml").host
    assert host is not None
    assert host.history[0].effects == {
        "bond0.active_slave": "eth1", "bond0.primary": None, "bond0.mode": "802.3ad", "tor-a.state": "down",
        "bond0.lacp_rate": "fast", "bond0.ad_select": "count", "bond0.xmit_hash_policy": "layer2+3",
        "eth0.mac": "90:e2:ba:00:00:01", "tor-a.system_mac": "00:1c:73:00:00:02", "bond0.address": "10.20.0.16/32",
        "eth0.port": "Other", "eth0.switch": "tor-b", "host.reboot": True, "eth1.reset": True,
        "bond0.slaves": ["eth1"], "bond0.arp_ip_targets": ["10.20.0.1"]}
    no_effects = load_text(seed_with(("      effects:\n" + SEED_EFFECTS, "")), "x.yaml").host
    assert no_effects is not None and no_effects.history[0].effects == {}
    not_a_mapping = seed_with((SEED_EFFECTS, "        - eth0.carrier\n"))
    assert refusal(not_a_mapping) == (f"x.yaml:{line_of(not_a_mapping, '      effects:')}: host history #1 field 'effects': "
                                      "must be a mapping like 'eth1.firmware: \"0x800003de\"', got a list")


# -- rounds, choices, actions, setup and cross references (scenario.py), exactly ------------------
@pytest.mark.parametrize("changes, sentence", [
    ({16: "      - 42", 17: "", 18: "", 19: "", 20: "", 21: ""}, "x.yaml:16: round 'triage': expected a mapping of fields, got a number"),
    ({47: "      - 42", 48: "", 49: ""}, "x.yaml:47: round 'fix' action #1: expected a mapping of fields, got a number"),
    ({47: "      - {id: add-index, text: t, minutes: 1}\n      - {id: add-index, text: u, minutes: 2}", 48: "", 49: ""},
     "x.yaml:48: round 'fix' action #2 field 'id': duplicate action id 'add-index'"),
    ({46: "    actions: []", 47: "", 48: "", 49: ""}, "x.yaml:46: round 'fix' field 'actions': must have between 1 and 20 entries, got 0"),
    ({11: "  - title: \"Triage\"", 12: ""}, "x.yaml:11: round #1 field 'id': is missing"),
    ({10: "rounds: []\nold_rounds:"}, "x.yaml:10: field 'rounds': must have between 1 and 30 entries, got 0"),
    ({10: "rounds:\n  - 42\nold_rounds:"}, "x.yaml:11: round #1: expected a mapping of fields, got a number"),
    ({18: "        verdict: partial"},
     "x.yaml:15: round 'triage' field 'choices': no choice has verdict 'recommended'; every round needs a best answer"),
    ({49: "        minutes: 3\n        expect: \"bond0\""},
     "x.yaml:50: round 'fix' action #1 field 'expect': needs a 'command' whose output it checks"),
    ({21: "        result: \"You find the slow query.\"\n        effects: {eth0.carrier: false}"},
     "x.yaml:22: round 'triage' choice 'A' field 'effects': needs a 'host:' section in the scenario to act on"),
    ({60: "      text: \"Customers start to churn\"\ncross_references:\n  - 42"},
     "x.yaml:62: cross reference #1: expected a mapping of fields, got a number"),
])
def test_round_and_reference_problems_are_exact_sentences(changes: dict[int, str], sentence: str) -> None:
    assert refusal(minimal_with(changes)) == sentence


def test_text_without_a_path_is_named_text() -> None:
    assert load_text(minimal_with({})).path == "<text>"
    with pytest.raises(ScenarioError) as caught:
        load_text("")
    assert str(caught.value).startswith("<text>:1: the file is empty")


def test_an_empty_file_is_one_exact_sentence() -> None:
    assert refusal("") == "x.yaml:1: the file is empty; a scenario needs id, title, setup, clock, rounds and damage"


@pytest.mark.parametrize("line, template, limit, where", [
    (2, 'title: "{}"', 200, "field 'title'"),
    (5, '  time_of_day: "{}"', 200, "setup field 'time_of_day'"),
    (6, '  role: "{}"', 200, "setup field 'role'"),
    (12, '    title: "{}"', 200, "round 'triage' field 'title'"),
    (17, '        label: "{}"', 300, "round 'triage' choice 'A' field 'label'"),
    (48, '        text: "t"\n        command: "{}"', 500, "round 'fix' action #1 field 'command'"),
])
def test_titles_labels_and_commands_have_their_limits(line: int, template: str, limit: int, where: str) -> None:
    load_text(minimal_with({line: template.format("x" * limit)}), "x.yaml")
    text = minimal_with({line: template.format("x" * (limit + 1))})
    assert refusal(text) == (f"x.yaml:{line_of(text, 'x' * (limit + 1))}: {where}: "
                             f"is {limit + 1} characters long; the limit is {limit}")


def test_an_expected_output_has_its_limit() -> None:
    command = '        text: "t"\n        command: "cat /proc/net/bonding/bond0"\n        expect: "{}"'
    load_text(minimal_with({48: command.format("x" * 500)}), "x.yaml")
    text = minimal_with({48: command.format("x" * 501)})
    assert refusal(text) == (f"x.yaml:{line_of(text, 'x' * 501)}: round 'fix' action #1 field 'expect': "
                             "is 501 characters long; the limit is 500")


def test_optional_choice_and_action_fields_default_to_nothing() -> None:
    scenario = load_text(minimal_with({}), "x.yaml")
    choice = scenario.rounds[0].choices[0]
    assert (choice.why, choice.reveals, choice.outage_minutes, choice.effects) == ("", (), 0, ())
    assert (choice.line, choice.next_line) == (16, 20)
    action = scenario.rounds[1].actions[0]
    assert (action.command, action.expect) == ("", "")
    assert scenario.cross_references == () and scenario.host is None


def test_reveals_hold_at_most_10_commands() -> None:
    def reveals(n: int) -> str:
        return "        reveals: [" + ", ".join(f'"cmd {i}"' for i in range(n)) + ']\n        result: "You find the slow query."'

    assert len(load_text(minimal_with({21: reveals(10)}), "x.yaml").rounds[0].choices[0].reveals) == 10
    assert refusal(minimal_with({21: reveals(11)})) == (
        "x.yaml:21: round 'triage' choice 'A' field 'reveals': must have between 0 and 10 entries, got 11")
    assert refusal(minimal_with({21: '        reveals: null\n        result: "r"'})) == (
        "x.yaml:21: round 'triage' choice 'A' field 'reveals': must be a list, got nothing (null)")


def test_a_round_holds_at_most_20_actions_and_a_scenario_30_rounds() -> None:
    def actions(n: int) -> str:
        return "\n".join(f"      - {{id: a{i}, text: t, minutes: 1}}" for i in range(n))

    assert len(load_text(minimal_with({47: actions(20), 48: "", 49: ""}), "x.yaml").rounds[1].actions) == 20
    assert refusal(minimal_with({47: actions(21), 48: "", 49: ""})) == (
        "x.yaml:46: round 'fix' field 'actions': must have between 1 and 20 entries, got 21")

    def rounds(n: int) -> str:  # n decision rounds in a row before the fix
        return "\n".join(f"  - {{id: r{i}, title: t, pressure_cue: p, what_you_see: w, choices: ["
                         f"{{key: A, label: l, verdict: recommended, minutes: 1, next: {f'r{i + 1}' if i < n - 1 else 'fix'}, result: r}}, "
                         "{key: B, label: l, verdict: wasted, minutes: 1, next: stay, result: r}, "
                         "{key: C, label: l, verdict: wasted, minutes: 1, next: stay, result: r}, "
                         "{key: D, label: l, verdict: wasted, minutes: 1, next: stay, result: r}]}" for i in range(n))

    blank = {n: "" for n in range(12, 41)}
    assert len(load_text(minimal_with({11: rounds(29), **blank}), "x.yaml").rounds) == 30
    assert refusal(minimal_with({11: rounds(30), **blank})) == (
        "x.yaml:10: field 'rounds': must have between 1 and 30 entries, got 31")


@pytest.mark.parametrize("notebook, ok", [
    ("primer-linux-ops.ipynb", True), ("part/primer.ipynb", True), ("notes.txt", False), ("/etc/x.ipynb", False),
    (".hidden.ipynb", False), ("part/../../x.ipynb", False), ("x" * 195 + ".ipynb", False),
])
def test_cross_references_point_inside_the_course(notebook: str, ok: bool) -> None:
    refs = '      text: "Customers start to churn"\ncross_references:\n  - {title: "' + "t" * 200 + f'", notebook: "{notebook}"}}'
    text = minimal_with({60: refs})
    if ok:
        assert load_text(text, "x.yaml").cross_references[0].notebook == notebook
    elif len(notebook) > 200:
        assert refusal(text) == "x.yaml:62: cross reference #1 field 'notebook': is 201 characters long; the limit is 200"
    else:
        assert refusal(text) == (f"x.yaml:62: cross reference #1 field 'notebook': '{notebook}' must be a notebook path "
                                 "inside course/, like primer-linux-ops.ipynb")


def test_cross_references_have_their_limits() -> None:
    ref = '  - {title: "t", notebook: "n.ipynb"}'
    head = '      text: "Customers start to churn"\ncross_references:\n'
    assert len(load_text(minimal_with({60: head + "\n".join([ref] * 20)}), "x.yaml").cross_references) == 20
    assert refusal(minimal_with({60: head + "\n".join([ref] * 21)})) == (
        "x.yaml:61: field 'cross_references': must have between 0 and 20 entries, got 21")
    assert refusal(minimal_with({60: head.replace(":\n", ": null\n")})) == (
        "x.yaml:61: field 'cross_references': must be a list, got nothing (null)")
    assert refusal(minimal_with({60: head + '  - {title: "' + "t" * 201 + '", notebook: "n.ipynb"}'})) == (
        "x.yaml:62: cross reference #1 field 'title': is 201 characters long; the limit is 200")
