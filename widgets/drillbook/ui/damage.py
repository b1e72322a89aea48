"""The damage report view: downtime vs SLA, time vs optimal vs worst, the choices and what
was missed, the remediation checklist, risks, reference facts, primers and the what-if table.

Everything comes from :class:`drillbook.report.DamageReport`; this module only draws it.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from ..report import DamageReport
from ._badges import badge, minutes
from ._html import esc, rich
from .nav import notebook_link



def render_time_chart(report: DamageReport) -> str:
    """Your time vs optimal vs every-wrong-choice as horizontal bars (pure HTML/CSS)."""
    rows = [
        ("You", report.total_minutes, "db-bar-you"),
        ("Optimal", report.optimal_minutes, "db-bar-optimal"),
        ("Every wrong choice", report.worst_minutes, "db-bar-worst"),
    ]
    top = max(m for _, m, _ in rows) or 1
    bars = "".join(
        f'<div class="db-bar-row"><span class="db-bar-label">{label}</span>'
        f'<span class="db-bar {css}" style="width: {max(2, round(60 * value / top))}%"></span>'
        f'<span class="db-bar-value">{minutes(value)}</span></div>'
        for label, value, css in rows
    )
    return f'<div class="db-chart" role="img" aria-label="{esc(_chart_label(report))}">{bars}</div>'


def _chart_label(report: DamageReport) -> str:
    return (f"Your time {report.total_minutes} minutes, optimal {report.optimal_minutes} minutes, "
            f"every wrong choice {report.worst_minutes} minutes")


def render_what_if(report: DamageReport) -> str:
    """Every choice of every round: its cost, its extra outage, its verdict, whether you took it."""
    rows = "".join(
        f'<tr class="{"db-taken" if w.taken else ""}"><td>{w.round_number}</td><td>{esc(w.key)}) {esc(w.label)}</td>'
        f"<td>{w.minutes}</td><td>{w.outage_minutes}</td><td>{badge(w.verdict, w.verdict_label)}</td>"
        f'<td>{"yes" if w.taken else "no"}</td></tr>'
        for w in report.what_if
    )
    return (
        '<table class="db-whatif"><caption>What if: every choice of every round</caption>'
        "<thead><tr><th>Round</th><th>Choice</th><th>Minutes</th><th>Extra outage</th>"
        f"<th>Verdict</th><th>You took it</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _list(items: list[str], css: str, empty: str) -> str:
    if not items:
        return f'<p class="{css}-empty">{esc(empty)}</p>'
    return f'<ul class="{css}">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _reasoning(line: str) -> str:
    """The learner's own line of reasoning, beside the choice it explains."""
    if not line:
        return ""
    return f'<div class="db-reasoning"><span class="db-reasoning-label">Your reasoning:</span> <q>{esc(line)}</q></div>'


def render_report(report: DamageReport, reasons: Sequence[str] = (), actions: str = "") -> str:
    """The whole damage report as HTML (used by the widget and by the branch atlas).
    ``reasons[i]`` is the learner's line for ``report.steps[i]``; ``actions`` is ready HTML
    (the postmortem download) shown under the heading."""
    if report.sla_breached:
        sla = (f'<strong class="db-sla-verdict db-bad">SLA BREACHED</strong>: {minutes(report.downtime_minutes)} '
               f"of downtime against a {report.sla_minutes}-minute SLA.")
    else:
        sla = (f'<strong class="db-sla-verdict db-ok">SLA met</strong>: {minutes(report.downtime_minutes)} '
               f"of downtime within the {report.sla_minutes}-minute SLA ({esc(report.downtime_note)}).")
    over = report.minutes_over_optimal
    pace = "the optimal time" if over <= 0 else f"{minutes(over)} over the optimal"
    steps = [
        f"Round {s.round_number} ({esc(s.round_title)}): {esc(s.key)}) {esc(s.label)} {badge(s.verdict, s.verdict_label)} "
        f"+{minutes(s.minutes)}" + _reasoning(reasons[i] if i < len(reasons) else "")
        for i, s in enumerate(report.steps)
    ]
    checklist = [
        f'<span class="db-check {"db-check-done" if done else "db-check-missed"}">{"✓ done" if done else "✗ missed"}</span> '
        f"{rich(action.text)}"
        for action, done in report.remediation
    ]
    risks = [f'<span class="db-risk" role="alert">⚠ {esc(risk)}</span>' for risk in report.risks]
    primers = [notebook_link(ref.notebook, esc(ref.title)) for ref in report.cross_references]
    console = f" (including {minutes(report.console_minutes)} at the console)" if report.console_minutes else ""
    return (
        '<section class="db-report" aria-label="Damage report">'
        f"<h3>Damage report: {esc(report.title)}</h3>"
        + (f'<div class="db-report-actions">{actions}</div>' if actions else "") +
        f'<p class="db-report-path">Your path: <code class="db-code">{esc(report.path_code)}</code> '
        f"(optimal <code>{esc(report.optimal_code)}</code>)</p>"
        f'<p class="db-report-sla">{sla}</p>'
        f'<p class="db-report-time">Time to resolve: <strong>{minutes(report.total_minutes)}</strong>{console}, {pace}.</p>'
        f"{render_time_chart(report)}"
        f'<p class="db-report-blast"><strong>Blast radius:</strong> {rich(report.blast_radius)}</p>'
        "<h4>Risks triggered</h4>" + _list(risks, "db-risks", "None: the incident was closed before any risk set in.")
        + "<h4>Your choices</h4>" + _list(steps, "db-steps", "No choices made.")
        + "<h4>What you missed</h4>" + _list([rich(m) for m in report.missed], "db-missed", "Nothing: every step was the recommended one.")
        + "<h4>Remediation checklist</h4>" + _list(checklist, "db-checklist", "The remediation round was not reached.")
        + "<h4>Reference report</h4>" + _list([rich(f) for f in report.facts], "db-facts", "No reference facts.")
        + "<h4>Read next</h4>" + _list(primers, "db-primers", "No primers listed.")
        + render_what_if(report)
        + "</section>"
    )


class DamageReportView(widgets.HTML):
    def __init__(self) -> None:
        super().__init__()
        self.add_class("db-report-view")

    def show(self, report: DamageReport | None, reasons: Sequence[str] = (), actions: str = "") -> None:
        self.value = render_report(report, reasons, actions) if report is not None else ""
        self.layout.display = None if report is not None else "none"
