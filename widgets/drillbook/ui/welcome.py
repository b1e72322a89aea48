"""The learner's own progress on the welcome page: primers visited, quiz scores (best and
last), replays finished and the best time against the optimal, with a small bar chart.
Only draws :class:`drillbook.learner.LearnerProgress`."""

from __future__ import annotations

from ..learner import LearnerProgress
from ._badges import minutes
from ._html import esc
from .nav import notebook_link

#: What an anonymous learner on a shared server reads instead.
KEEP_PROGRESS = ("Your progress is not being kept: open the course with your name in the address "
                 "(for example index.ipynb?name=ana&group=blue-team) or log in through your class's "
                 "JupyterHub, and this page will show your primers, quiz scores and replays.")


def _bar(label: str, value: int, top: int, text: str, css: str) -> str:
    width = max(2, round(60 * value / top)) if value and top else 0
    return (f'<div class="db-bar-row"><span class="db-bar-label">{esc(label)}</span>'
            f'<span class="db-bar {css}" style="width: {width}%"></span>'
            f'<span class="db-bar-value">{esc(text)}</span></div>')


def render_progress(progress: LearnerProgress, who: str) -> str:
    primers = "".join(
        f'<li class="{"db-visited" if p.visits else "db-not-visited"}">'
        f'<span aria-hidden="true">{"✓" if p.visits else "○"}</span> {notebook_link(p.file, esc(p.title))}'
        f'{" (not opened yet)" if not p.visits else ""}</li>'
        for p in progress.primers)
    quiz_rows = "".join(
        f"<tr><td>{esc(q.title)}</td><td>{'—' if q.best is None else f'{q.best} of {q.total}'}</td>"
        f"<td>{'—' if q.last is None else f'{q.last} of {q.total}'}</td><td>{q.attempts}</td></tr>"
        for q in progress.quizzes)
    bars = [_bar(f"Quiz: {q.title}", q.best or 0, q.total, f"best {q.best or 0} of {q.total}", "db-bar-you")
            for q in progress.quizzes if q.attempts]
    replay_items = []
    for r in progress.replays:
        if r.best_minutes is None:
            replay_items.append(f"<li>{esc(r.title)}: not finished yet (optimal {minutes(r.optimal_minutes)})</li>")
        else:
            replay_items.append(f"<li>{esc(r.title)}: best {minutes(r.best_minutes)}, "
                                f"optimal {minutes(r.optimal_minutes)}</li>")
            top = max(r.best_minutes, r.optimal_minutes)
            bars += [_bar("Your best time", r.best_minutes, top, minutes(r.best_minutes), "db-bar-worst"),
                     _bar("Optimal", r.optimal_minutes, top, minutes(r.optimal_minutes), "db-bar-optimal")]
    summary = (f"{progress.primers_visited} of {len(progress.primers)} primers visited, "
               f"{sum(q.attempts > 0 for q in progress.quizzes)} of {len(progress.quizzes)} quizzes tried, "
               f"{progress.replays_finished} of {len(progress.replays)} replays finished")
    return (
        f'<section class="db-root db-my-progress" aria-label="Your progress">'
        f"<h2>Your progress, {esc(who)}</h2><p class=\"db-progress-summary\">{esc(summary)}.</p>"
        + (f'<div class="db-chart" role="img" aria-label="Best quiz scores, and best replay time against the optimal">{"".join(bars)}</div>' if bars else "") +
        f'<h3>Primers</h3><ul class="db-progress-primers">{primers}</ul>'
        f'<table class="db-progress-quizzes"><caption>Quiz scores</caption><thead><tr><th>Quiz</th><th>Best</th>'
        f"<th>Last</th><th>Attempts</th></tr></thead><tbody>{quiz_rows}</tbody></table>"
        f'<h3>Replays</h3><ul class="db-progress-replays">{"".join(replay_items)}</ul>'
        "</section>"
    )


def render_anonymous() -> str:
    return f'<section class="db-root db-my-progress"><p class="db-progress-anonymous">{esc(KEEP_PROGRESS)}</p></section>'
