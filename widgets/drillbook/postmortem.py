"""A blameless postmortem of one run, in Markdown: what the damage report knows, plus what the
learner wrote (one line of reasoning per choice) and what the group noted on each round.

Fed by :class:`~drillbook.report.DamageReport` and store rows only; the CLI and the replay's
download button both call :func:`render`, so the two files are the same document.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .engine import Engine
from .errors import StoreError
from .report import DamageReport, damage_report
from .model import Scenario
from .store import Note, StoredEvent


@dataclass(frozen=True)
class Run:
    """A run rebuilt from its stored events: the engine at its end and each choice's reasoning."""

    engine: Engine
    reasons: tuple[str, ...]  #: one per engine step ('' where the learner wrote none)


def rebuild(scenario: Scenario, events: Sequence[StoredEvent]) -> Run:
    """Re-take a stored run on a fresh engine, so the report is computed, never stored."""
    engine = Engine(scenario)
    reasons: list[str] = []
    for event in events:
        if event.kind == "choice":
            engine.choose(event.value)
            reasons.append(event.reasoning)
        elif event.kind == "action":
            engine.complete_action(event.value)
        elif event.kind == "console":
            engine.spend(int(event.value))
        elif event.kind == "close":
            engine.close_incident()
    return Run(engine, tuple(reasons))


def report_for(scenario: Scenario, events: Sequence[StoredEvent], who: str) -> tuple[DamageReport, tuple[str, ...]]:
    """The damage report and reasons of a stored run; a run still open is one sentence."""
    if not events:
        raise StoreError(f"{who} has no recorded run of {scenario.id}")
    run = rebuild(scenario, events)
    rnd = run.engine.current_round
    if rnd is not None:
        raise StoreError(f"{who}'s latest run of {scenario.id} stops in round {rnd.number}; "
                         "the postmortem is written once the incident is closed")
    return damage_report(scenario, run.engine.state), run.reasons


def filename(scenario_id: str, learner: str) -> str:
    """``bond-failover-postmortem-ana.md``: safe on every file system, whatever the name."""
    who = re.sub(r"[^A-Za-z0-9_.-]+", "-", learner).strip("-.") or "anonymous"
    return f"{scenario_id}-postmortem-{who}.md"


def _cell(text: str) -> str:
    """Text as typed, made safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|") or "—"


def _clock(start: dt.datetime, minute: int) -> str:
    return (start + dt.timedelta(minutes=minute)).strftime("%H:%M")


def render(report: DamageReport, *, scenario: Scenario, learner: str, group: str, date: dt.date,
           reasons: Sequence[str] = (), notes: Sequence[Note] = ()) -> str:
    """The postmortem document. ``reasons[i]`` goes with ``report.steps[i]``."""
    start = scenario.clock.start
    sla = (f"**breached**: {report.downtime_minutes} min of downtime against a {report.sla_minutes}-minute SLA"
           if report.sla_breached else
           f"met: {report.downtime_minutes} min of downtime within the {report.sla_minutes}-minute SLA")
    lines = [
        f"# Postmortem: {report.title}",
        "",
        "_Blameless: this document describes decisions and the information behind them, not people._",
        "",
        "## Summary",
        "",
        f"- **Incident:** {report.title} (`{scenario.id}`)",
        f"- **Learner:** {learner or 'anonymous'}",
        f"- **Group:** {group or '(none)'}",
        f"- **Date:** {date.isoformat()}",
        f"- **Path:** `{report.path_code}` (optimal `{report.optimal_code}`)",
        f"- **Outcome:** SLA {sla}; resolved in {report.total_minutes} min.",
        "",
        "## Timeline",
        "",
        f"Simulated clock, alert at {_clock(start, 0)} UTC.",
        "",
        "| Time | Round | Action | Verdict | Minutes | Reasoning |",
        "|---|---|---|---|---|---|",
    ]
    for i, step in enumerate(report.steps):
        reason = reasons[i] if i < len(reasons) else ""
        lines.append(
            f"| {_clock(start, step.elapsed_after - step.minutes)} | {step.round_number}. {_cell(step.round_title)} "
            f"| {step.key}) {_cell(step.label)} | {step.verdict_label} | {step.minutes} | {_cell(reason)} |")
    lines += [
        f"| {_clock(start, report.total_minutes)} | | Incident closed | | | |",
        "",
        "## Damage report",
        "",
        f"- **Downtime vs SLA:** {report.downtime_minutes} of {report.sla_minutes} min ({'breached' if report.sla_breached else 'met'})",
        f"- **Time to resolve:** {report.total_minutes} min; optimal {report.optimal_minutes} min "
        f"({report.minutes_over_optimal:+d} min), worst path {report.worst_minutes} min",
    ]
    if report.console_minutes:
        lines.append(f"- **At the console:** {report.console_minutes} min")
    lines += [f"- **Blast radius:** {report.blast_radius}", "", "### Risks triggered", ""]
    lines += [f"- {risk}" for risk in report.risks] or ["- None: the incident was closed before any risk set in."]
    lines += ["", "### What was missed", ""]
    lines += [f"- {item}" for item in report.missed] or ["- Nothing: every step was the recommended one."]
    lines += [
        "",
        "## The choices not taken",
        "",
        "What each other action would have cost at that point.",
        "",
        "| Round | Action | Verdict | Minutes | Extra outage |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {w.round_number} | {w.key}) {_cell(w.label)} | {w.verdict_label} | {w.minutes} | {w.outage_minutes} |"
              for w in report.what_if if not w.taken]
    lines += ["", "## Remediation checklist", ""]
    lines += [f"- [{'x' if done else ' '}] {action.text}" for action, done in report.remediation] or [
        "- The remediation round was not reached."]
    lines += ["", "## Group notes", ""]
    titles = scenario.round_headings()
    if not notes:
        lines.append(f"No notes from {'group ' + group if group else 'the default group'}.")
    for round_id in [*titles, *sorted({n.round_id for n in notes} - set(titles))]:
        in_round = [n for n in notes if n.round_id == round_id]
        if in_round:
            lines += [f"### {titles.get(round_id, round_id)}", ""]
            lines += [f"- **{n.author or 'anonymous'}** ({n.updated_at}): " + n.body.replace("\n", "\n  ")
                      for n in in_round]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
