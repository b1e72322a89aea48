"""Write a parsed Markdown incident as commented scenario YAML, and validate it before anyone
sees it.

The YAML is written as text, line by line, because its comments are the point: every guess
carries ``# TODO: check (why)`` and every figure taken from the document says where it came from
(PyYAML's dumper would drop them). Scalars still go through PyYAML's emitter, so quoting and
escaping are never hand-rolled. Each written line remembers the Markdown line it came from, so
when the project's own validator rejects the result, the error names the Markdown line.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..course import Course
from ..errors import ScenarioError
from ..replay_codes import summarize
from ..model import Scenario
from ..scenario import load_text
from . import infer
from .commands import commands_in, repair
from .document import Document, MarkdownError, RoundDraft, Text
from .markdown import clean, parse

REMEDIATION_SEE = "Work through the remediation actions: verify on the console, then file the follow-ups."


def quote(value: str) -> str:
    """A double-quoted YAML scalar on one line, escaped by PyYAML's own emitter."""
    return yaml.safe_dump(value, default_style='"', width=10**9, allow_unicode=True).strip()


@dataclass
class _Writer:
    lines: list[str] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)  #: the Markdown line behind each YAML line

    def add(self, text: str, source: int = 0, comment: str = "") -> None:
        self.lines.append(f"{text}  {comment}" if comment else text)
        self.sources.append(source)

    def comment(self, text: str) -> None:
        for line in textwrap.wrap(clean(text), 96) or [""]:
            self.add(f"# {line}".rstrip())

    def source_of(self, yaml_line: int | None) -> int:
        """The Markdown line for a 1-based YAML line (the nearest mapped line above it)."""
        index = min(max((yaml_line or 1) - 1, 0), len(self.sources) - 1)
        while index > 0 and not self.sources[index]:
            index -= 1
        return self.sources[index] or 1


@dataclass(frozen=True)
class Imported:
    text: str  #: the scenario YAML, comments included
    scenario: Scenario  #: the same text, loaded by the project's validator


def import_markdown(md_path: str | Path, scenario_id: str, course: Course, yaml_name: str = "<import>") -> Imported:
    """Parse, emit and validate; any problem is a :class:`MarkdownError` naming a Markdown line."""
    doc = parse(md_path)
    out = _Writer()
    _emit(doc, scenario_id, course, out)
    text = "\n".join(out.lines) + "\n"
    try:
        scenario = load_text(text, yaml_name)
    except ScenarioError as exc:
        where = f"{exc.where}: " if exc.where else ""
        raise MarkdownError(doc.path, out.source_of(exc.line), f"{where}{exc.message}") from None
    final = _with_timing(text, doc, scenario)
    return Imported(final, load_text(final, yaml_name))


def _with_timing(text: str, doc: Document, scenario: Scenario) -> str:
    """Put the path times the minutes give next to the ones the document states, at the top."""
    facts = infer.damage(doc)
    summary = summarize(scenario)
    stated = (f"# The document states: optimal {facts.optimal_stated or 'nothing'}, "
              f"every wrong choice {facts.worst_stated or 'nothing'}.")
    computed = (f"# The minutes below give: optimal {summary.optimal_code} = {summary.optimal_minutes} minutes, "
                f"worst {summary.worst_code} = {summary.worst_minutes} minutes.")
    head, _, rest = text.partition("\n#\n")
    return f"{head}\n#\n{stated}\n{computed}\n#\n{rest}"


def _emit(doc: Document, scenario_id: str, course: Course, out: _Writer) -> None:
    out.comment(f"Incident replay: {doc.title.value}")
    out.add("#")
    out.comment(f"Imported from {Path(doc.path).name} by `drillbook import-markdown`. Lines marked "
                "'# TODO: check' are the importer's guesses from the wording: review each, then add a "
                "host: section (scenarios/README.md) so the console answers, and uncomment the reveals.")
    out.add("#")
    for note in [*doc.notes, *doc.setup_extra]:
        out.comment(f"From the document (no field for it), line {note.line}: {note.value}")
    out.add("")
    out.add(f"id: {scenario_id}", doc.title.line)
    out.add(f"title: {quote(doc.title.value)}", doc.title.line)
    out.add("")
    out.add("setup:", doc.setup_line)
    for name in ("system_context", "time_of_day", "role"):
        item = doc.setup[name]
        out.add(f"  {name}: {quote(item.value)}", item.line)
    out.add("")
    start, sla = infer.clock_start(doc), infer.sla_minutes(doc)
    out.add("clock:", doc.setup["time_of_day"].line)
    out.add(f"  start: {quote(start.value)}", doc.setup["time_of_day"].line, start.comment())
    out.add(f"  sla_minutes: {sla.value}", doc.rounds[0].line, sla.comment())
    out.add("")
    out.add("rounds:", doc.rounds[0].line)
    ids = infer.round_ids(doc)
    for rnd, round_id in zip(doc.rounds, ids):
        _round(doc, rnd, round_id, ids, out)
    _damage(doc, out)
    _cross_references(doc, course, out)


def _round(doc: Document, rnd: RoundDraft, round_id: str, ids: list[str], out: _Writer) -> None:
    assert rnd.pressure_cue is not None
    out.add(f"  - id: {round_id}", rnd.line)
    if rnd.actions:
        out.add("    kind: remediation", rnd.actions_line or rnd.line)
    out.add(f"    title: {quote(rnd.title)}", rnd.line)
    out.add(f"    pressure_cue: {quote(repair(rnd.pressure_cue.value, quote=False))}", rnd.pressure_cue.line)
    if rnd.what_you_see is not None:
        out.add(f"    what_you_see: {quote(repair(rnd.what_you_see.value, quote=False))}", rnd.what_you_see.line)
    else:
        out.add(f"    what_you_see: {quote(REMEDIATION_SEE)}", rnd.line, "# TODO: check (the document has no 'What you see:' here)")
    if rnd.actions:
        _actions(rnd, out)
        out.add("")
        return
    best, best_guess = infer.recommended(doc, rnd)
    out.add("    choices:", rnd.choices[0].line)
    for choice in rnd.choices:
        assert choice.result is not None
        result = repair(choice.result.value, quote=True)
        verdict = best_guess if choice is best else infer.verdict(result)
        if choice is not best and verdict.value == "recommended":
            verdict = infer.Guess("partial", "a second 'recommended' cue; only one choice can be")
        minutes = infer.minutes(result, verdict.value)
        route = infer.route(doc, rnd, choice, choice is best, ids)
        at = choice.heading_line or choice.line
        out.add(f"      - key: {choice.key}", choice.line)
        out.add(f"        label: {quote(repair(choice.label, quote=False))}", choice.line)
        out.add(f"        verdict: {verdict.value}", at, verdict.comment())
        out.add(f"        minutes: {minutes.value}", choice.result.line, minutes.comment())
        out.add(f"        next: {route.value}", choice.result.line, route.comment())
        out.add(f"        result: {quote(result)}", choice.result.line)
        reveals = commands_in(result)
        if reveals:
            listed = ", ".join(quote(c) for c in reveals)
            out.add(f"        # reveals: [{listed}]  # TODO: add a host: section, then uncomment to show their output",
                    choice.result.line)
    out.add("")


def _actions(rnd: RoundDraft, out: _Writer) -> None:
    out.add("    actions:", rnd.actions_line or rnd.line)
    used: list[str] = []
    for number, action in enumerate(rnd.actions, 1):
        text = repair(action.value, quote=True)
        command = _console_step(text)
        base = infer.slug(" ".join(text.split(":")[0].replace("`", "").split()[:4]), f"action-{number}")
        action_id, n = base, 2
        while action_id in used:
            action_id, n = f"{base}-{n}", n + 1
        used.append(action_id)
        minutes = infer.action_minutes(action, bool(command))
        out.add(f"      - id: {action_id}", action.line)
        out.add(f"        text: {quote(text)}", action.line)
        if command:
            out.add(f"        command: {quote(command)}", action.line,
                    "# TODO: check (the command after the action's 'Label:', run in the console to verify it)")
            out.add(f"        # expect: \"…\"  # TODO: text the command's output must show once the step is done", action.line)
        out.add(f"        minutes: {minutes.value}", action.line, minutes.comment())


def _console_step(text: str) -> str:
    """The command a remediation action runs, when the action reads "Label: `command` …" (a
    command mentioned in passing, "Monitor a probe (`ping …`)", is a follow-up, not a step)."""
    match = re.match(r"^[^:`]{1,80}:\s*`([^`]+)`", text)
    return match[1] if match and commands_in(f"`{match[1]}`") == [match[1]] else ""


def _damage(doc: Document, out: _Writer) -> None:
    facts = infer.damage(doc)
    line = doc.damage_line
    out.add("damage:", line)
    out.add("  downtime:", line)
    out.add(f"    before_alert_minutes: {facts.before_alert.value}", line, facts.before_alert.comment())
    out.add(f"    covered_after_minutes: {facts.covered_after.value}", line, facts.covered_after.comment())
    out.add(f"    note: {quote(facts.note.value)}", line, facts.note.comment())
    out.add(f"  blast_radius: {quote(facts.blast_radius)}", line)
    out.add(f"  optimal_summary: {quote(facts.optimal_summary.value)}", line, facts.optimal_summary.comment())
    out.add(f"  worst_summary: {quote(facts.worst_summary.value)}", line, facts.worst_summary.comment())
    if facts.risk is not None:
        after, text = facts.risk
        out.add("  risks:", line)
        out.add(f"    - after_minutes: {after.value}", line, after.comment())
        out.add(f"      text: {quote(text)}", line)
    out.add("  facts:", line)
    for fact in doc.damage:
        out.add(f"    - {quote(fact.value)}", fact.line)
    out.add("")


def _cross_references(doc: Document, course: Course, out: _Writer) -> None:
    if not doc.cross_references:
        return
    out.add("cross_references:", doc.cross_references[0].line)
    for ref in doc.cross_references:
        notebook = _notebook_for(ref, course)
        if notebook is None:
            out.add(f"  # - {{title: {quote(ref.value)}, notebook: \"…\"}}  # TODO: no notebook in course.yaml matches; "
                    "name one and uncomment", ref.line)
        else:
            out.add(f"  - {{title: {quote(ref.value)}, notebook: {notebook}}}", ref.line,
                    "# TODO: check (matched by the words of its title)")


#: Words that say what kind of page a reference is, not which one: they never match alone.
_GENERIC = {"and", "the", "primer", "notebook", "course", "incident", "replay"}


def _words(text: str) -> set[str]:
    return {w for w in infer.slug(text, "").split("-") if len(w) > 2 and w not in _GENERIC}


def _notebook_for(ref: Text, course: Course) -> str | None:
    """The course notebook whose file name and title share the most words with ``ref``."""
    wanted = _words(ref.value)
    scored = [(len(wanted & (_words(e.file.removesuffix(".ipynb")) | _words(e.title) | _words(e.part))), e.file)
              for e in course.entries]
    best = max(scored, default=(0, ""))
    return best[1] if best[0] else None
