"""Load and validate incident scenarios (``scenarios/*.yaml``) into the frozen model.

Validation happens once, here, so the engine and the views can trust the model completely.
Every problem becomes a :class:`ScenarioError` naming file, line and field. Nothing from a
scenario is ever evaluated or executed: YAML is read with ``SafeLoader`` and all text stays text.

The model's classes (:mod:`drillbook.model`) and the content lookup (:mod:`drillbook.content`)
are re-exported here, so ``from drillbook.scenario import Scenario, find_scenario`` keeps working.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from . import _yaml
from ._schema import Section
from .content import find_scenario, scenario_dir
from .errors import ScenarioError
from .host.model import HostState, parse_effects, parse_host
from .model import (CHOICE_KEYS, END, ROUND_KINDS, STAY, VERDICTS, Action, Choice, ChoiceAt, Clock,
                    CrossReference, Damage, Risk, Round, Scenario, Setup)

__all__ = [
    "CHOICE_KEYS", "END", "ROUND_KINDS", "STAY", "VERDICTS", "Action", "Choice", "ChoiceAt", "Clock",
    "CrossReference", "Damage", "Risk", "Round", "Scenario", "Setup",
    "find_scenario", "load_scenario", "load_text", "parse_scenario", "scenario_dir",
]


def _clock(section: Section) -> Clock:
    raw = section.value("start")
    if isinstance(raw, str):
        try:
            raw = dt.datetime.fromisoformat(raw)  # Python 3.11+ reads a trailing "Z" as UTC
        except ValueError:
            section.fail("start", f"'{raw}' is not a date and time like 2025-11-19T03:22:00Z")
    if not isinstance(raw, dt.datetime):
        section.fail("start", "must be a date and time like 2025-11-19T03:22:00Z")
    start = raw if raw.tzinfo else raw.replace(tzinfo=dt.timezone.utc)
    clock = Clock(start=start.astimezone(dt.timezone.utc), sla_minutes=section.integer("sla_minutes", minimum=1, maximum=10_000))
    section.done()
    return clock


def _choice(section: Section, host: HostState | None) -> Choice:
    key = section.choice("key", CHOICE_KEYS)
    section.where = f"{section.where} choice '{key}'"
    effects: dict[str, Any] = {}
    if section.has("effects"):
        if host is None:
            section.fail("effects", "needs a 'host:' section in the scenario to act on")
        effects = parse_effects(section, "effects", host)
    choice = Choice(
        key=key,
        label=section.text("label", max_len=300),
        verdict=section.choice("verdict", tuple(VERDICTS)),
        minutes=section.integer("minutes", minimum=0, maximum=1_000),
        result=section.text("result"),
        next=section.identifier("next"),
        why=section.text("why", ""),
        reveals=section.text_list("reveals", default=(), max_items=10),
        outage_minutes=section.integer("outage_minutes", 0, maximum=1_000),
        effects=tuple(effects.items()),
        line=section.line,
        next_line=section.line_of("next"),
    )
    section.done()
    return choice


def _action(section: Section) -> Action:
    action = Action(
        id=section.identifier("id"),
        text=section.text("text"),
        minutes=section.integer("minutes", minimum=0, maximum=1_000),
        command=section.text("command", "", max_len=500),
        expect=section.text("expect", "", max_len=500),
    )
    if action.expect and not action.command:
        section.fail("expect", "needs a 'command' whose output it checks")
    section.done()
    return action


def _round(section: Section, number: int, host: HostState | None) -> Round:
    round_id = section.identifier("id")
    section.where = f"round '{round_id}'"
    kind = section.choice("kind", ROUND_KINDS, "decision")
    choices: list[Choice] = []
    actions: list[Action] = []
    if kind == "decision":
        for index, raw, line in section.items("choices", min_items=4, max_items=4):
            choice = _choice(Section(section.path, f"round '{round_id}'", raw, line), host)
            if any(c.key == choice.key for c in choices):
                Section(section.path, f"round '{round_id}'", raw, line).fail("key", f"duplicate choice key '{choice.key}'")
            choices.append(choice)
        if not any(c.verdict == "recommended" for c in choices):
            section.fail("choices", "no choice has verdict 'recommended'; every round needs a best answer")
    else:
        for index, raw, line in section.items("actions", min_items=1, max_items=20):
            action = _action(Section(section.path, f"round '{round_id}' action #{index + 1}", raw, line))
            if any(a.id == action.id for a in actions):
                Section(section.path, f"round '{round_id}' action #{index + 1}", raw, line).fail("id", f"duplicate action id '{action.id}'")
            actions.append(action)
    rnd = Round(
        id=round_id,
        number=number,
        title=section.text("title", max_len=200),
        pressure_cue=section.text("pressure_cue"),
        what_you_see=section.text("what_you_see"),
        kind=kind,
        choices=tuple(choices),
        actions=tuple(actions),
        line=section.line,
    )
    section.done()
    return rnd


def _damage(section: Section) -> Damage:
    downtime = section.section("downtime")  # labelled "damage downtime" in messages
    risks = []
    for index, raw, line in section.items("risks", default=[], max_items=20):
        risk = Section(section.path, f"damage risk #{index + 1}", raw, line)
        risks.append(Risk(risk.integer("after_minutes", minimum=0, maximum=100_000), risk.text("text", max_len=500)))
        risk.done()
    damage = Damage(
        downtime_before_alert=downtime.integer("before_alert_minutes", minimum=0, maximum=10_000),
        covered_after_minutes=downtime.integer("covered_after_minutes", minimum=0, maximum=10_000),
        downtime_note=downtime.text("note", max_len=500),
        blast_radius=section.text("blast_radius"),
        optimal_summary=section.text("optimal_summary", max_len=500),
        worst_summary=section.text("worst_summary", max_len=500),
        risks=tuple(risks),
        facts=section.text_list("facts", default=(), max_items=20),
    )
    downtime.done()
    section.done()
    return damage


def _check_graph(section: Section, rounds: list[Round]) -> None:
    """Every ``next`` must exist, every round must be reachable, and every round must be able
    to reach the end (otherwise a learner could be stuck forever)."""
    ids = {r.id for r in rounds}
    edges: dict[str, set[str]] = {}
    for index, rnd in enumerate(rounds):
        targets: set[str] = set()
        if rnd.kind == "remediation":
            targets.add(END)
        for choice in rnd.choices:
            if choice.next == STAY:
                continue
            if choice.next != END and choice.next not in ids:
                raise ScenarioError.at(
                    section.path, choice.next_line, f"round '{rnd.id}' choice '{choice.key}' field 'next'",
                    f"'{choice.next}' is not a round id, 'stay' or 'end' (rounds: {', '.join(r.id for r in rounds)})",
                )
            targets.add(choice.next)
        edges[rnd.id] = targets
    order = {r.id: i for i, r in enumerate(rounds)}
    for rnd in rounds:
        for choice in rnd.choices:
            if choice.next not in (STAY, END) and order[choice.next] <= order[rnd.id]:
                raise ScenarioError.at(
                    section.path, choice.next_line, f"round '{rnd.id}' choice '{choice.key}' field 'next'",
                    f"leads back to round '{choice.next}'; rounds may only lead forward (use 'stay' to retry)",
                )
    reachable, todo = {rounds[0].id}, [rounds[0].id]
    while todo:
        for target in edges[todo.pop()]:
            if target != END and target not in reachable:
                reachable.add(target)
                todo.append(target)
    for rnd in rounds:
        if rnd.id not in reachable:
            raise ScenarioError.at(section.path, rnd.line, f"round '{rnd.id}'", "is unreachable: no choice leads to it")
    can_end = {r.id for r in rounds if END in edges[r.id]}
    changed = True
    while changed:
        changed = False
        for rnd in rounds:
            if rnd.id not in can_end and edges[rnd.id] & can_end:
                can_end.add(rnd.id)
                changed = True
    for rnd in rounds:
        if rnd.id not in can_end:
            raise ScenarioError.at(section.path, rnd.line, f"round '{rnd.id}'", "can never end: no path from it reaches 'end'")
        if rnd.kind == "decision":
            rec = rnd.recommended
            assert rec is not None
            if rec.next == STAY:
                raise ScenarioError.at(
                    section.path, rec.next_line, f"round '{rnd.id}' choice '{rec.key}' field 'next'",
                    "the recommended choice must move on (a round id or 'end'), not 'stay'",
                )


def parse_scenario(data: Any, path: str) -> Scenario:
    """Validate already-parsed YAML (with line info) into a :class:`Scenario`."""
    if data is None:
        raise ScenarioError.at(path, 1, "", "the file is empty; a scenario needs id, title, setup, clock, rounds and damage")
    top = Section(path, "", data, 1)
    scenario_id = top.identifier("id")
    host = parse_host(top.section("host")) if top.has("host") else None
    rounds: list[Round] = []
    for index, raw, line in top.items("rounds", min_items=1, max_items=30):
        rnd = _round(Section(path, f"round #{index + 1}", raw, line), index + 1, host)
        if rnd.id in (STAY, END):
            raise ScenarioError.at(path, rnd.line, f"round '{rnd.id}' field 'id'", f"'{rnd.id}' is reserved for 'next' and cannot be a round id")
        if any(r.id == rnd.id for r in rounds):
            raise ScenarioError.at(path, rnd.line, f"round '{rnd.id}' field 'id'", f"duplicate round id '{rnd.id}'")
        rounds.append(rnd)
    _check_graph(top, rounds)
    setup = top.section("setup")
    setup_model = Setup(setup.text("system_context"), setup.text("time_of_day", max_len=200), setup.text("role", max_len=200))
    setup.done()
    refs = []
    for index, raw, line in top.items("cross_references", default=[], max_items=20):
        ref = Section(path, f"cross reference #{index + 1}", raw, line)
        notebook = ref.text("notebook", max_len=200)
        if not notebook.endswith(".ipynb") or notebook.startswith(("/", ".")) or ".." in notebook:
            ref.fail("notebook", f"'{notebook}' must be a notebook path inside course/, like primer-linux-ops.ipynb")
        refs.append(CrossReference(ref.text("title", max_len=200), notebook))
        ref.done()
    scenario = Scenario(
        id=scenario_id,
        title=top.text("title", max_len=200),
        path=path,
        setup=setup_model,
        clock=_clock(top.section("clock")),
        rounds=tuple(rounds),
        damage=_damage(top.section("damage")),
        cross_references=tuple(refs),
        host=host,
    )
    top.done()
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate one scenario file."""
    return parse_scenario(_yaml.load_file(path), str(path))


def load_text(text: str, path: str = "<text>") -> Scenario:
    """Validate a scenario given as text (tests and tools that build scenarios in memory)."""
    return parse_scenario(_yaml.load_text(text, path), path)
