"""The class pulse panel of the instructor view (``?instructor=1&group=G``): bar charts of the
group's choices in the round on screen, who is on which round, and the finishers' minutes.

It refreshes itself: a task on the kernel's event loop reads the store every
:data:`POLL_SECONDS` and redraws only when something changed (an unchanged value sends no
message). Only the instructor's page builds it, so learners' kernels pay nothing; the task ends
when the panel is closed or its kernel goes away (Voila shuts a page's kernel down with it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..errors import DrillbookError
from ..model import Round, Scenario
from ..pulse import Pulse, minute_buckets, read_pulse
from ..store import Store, default_path
from ._guard import friendly
from ._models import html
from ._html import esc
from .nav import notebook_link

log = logging.getLogger("drillbook.ui")

#: Seconds between two reads of the store: a learner's click shows well within 3 s.
POLL_SECONDS = 1.0


def _bars(rows: list[tuple[str, int]], label: str, css: str) -> str:
    top = max((n for _, n in rows), default=0) or 1
    body = "".join(
        f'<div class="db-bar-row"><span class="db-bar-label">{esc(name)}</span>'
        f'<span class="db-bar {css}" style="width: {max(1, round(55 * n / top)) if n else 0}%"></span>'
        f'<span class="db-bar-value" data-count="{n}">{n}</span></div>'
        for name, n in rows
    )
    text = ", ".join(f"{name}: {n}" for name, n in rows)
    return f'<div class="db-chart" role="img" aria-label="{esc(label)}: {esc(text)}">{body}</div>'


def render_pulse(pulse: Pulse) -> str:
    group = esc(pulse.group) if pulse.group else "(no group)"
    parts = [f"<h3>Class pulse: group {group}</h3>"]
    if pulse.round is None:
        parts.append('<p class="db-muted">The round on screen has no A-D choices.</p>')
    else:
        keys = [(f"{c.key}) {c.label}", c.key) for c in pulse.round.choices]
        first = [(name, pulse.first.get(key, 0)) for name, key in keys]
        every = [(name, pulse.all.get(key, 0)) for name, key in keys]
        title = f"Round {pulse.round.number}: {pulse.round.title}"
        parts.append(
            f'<div class="db-pulse-round" data-round="{esc(pulse.round.id)}"><h4>{esc(title)}</h4>'
            f'<h5>First choice of each learner</h5><div class="db-pulse-first">'
            f'{_bars(first, f"First choices in {title}", "db-bar-you")}</div>'
            f'<h5>Every choice</h5><div class="db-pulse-all">{_bars(every, f"All choices in {title}", "db-bar-optimal")}</div>'
            "</div>")
    if pulse.learners:
        rows = "".join(
            f'<tr><td>{esc(w.learner)}</td><td>{esc(w.where)}</td><td>{w.minutes}</td></tr>' for w in pulse.learners)
        parts.append('<table class="db-pulse-where"><caption>Who is where</caption>'
                     f"<thead><tr><th>Learner</th><th>On</th><th>Minutes so far</th></tr></thead><tbody>{rows}</tbody></table>")
    else:
        parts.append('<p class="db-muted db-pulse-waiting">No learner of this group has made a choice yet.</p>')
    if pulse.finished:
        buckets = [(f"{start}-{start + 4} min", n) for start, n in minute_buckets(pulse.finished_minutes)]
        parts.append(
            f'<div class="db-pulse-finished"><h4>Finished: {pulse.finished}</h4>'
            f'<p class="db-pulse-sla">{pulse.met_sla} of {pulse.finished} met the SLA.</p>'
            f'{_bars(buckets, "Total minutes of the learners who finished", "db-bar-worst")}</div>')
    return "".join(parts)


class ClassPulse(widgets.VBox):
    """The live panel; ``round_on_screen()`` says which round the instructor is showing."""

    def __init__(self, scenario: Scenario, group: str, round_on_screen: Callable[[], Round | None],
                 open_store: Callable[[], Store] = Store) -> None:
        self.scenario = scenario
        self.group = group
        self._round_on_screen = round_on_screen
        self._open_store = open_store
        self._store: Store | None = None
        self._task: asyncio.Task[None] | None = None
        self.board = html("db-pulse-board")
        self.status = html("db-pulse-status")
        atlas = notebook_link("branch-atlas.ipynb", "Branch atlas: every path and its outcome (answer key)",
                              class_="db-atlas-link")
        super().__init__([html("db-pulse-links", f"<p>{atlas}</p>"), self.board, self.status])
        self.add_class("db-pulse")
        self.poll_once()

    def poll_once(self) -> bool:
        """Read the store and redraw; True if the board changed. Errors become one sentence."""
        try:
            if self._store is None and default_path().exists():  # a missing file is created by learners
                self._store = self._open_store()
            value = render_pulse(read_pulse(self._store, self.scenario, self.group, self._round_on_screen()))
            self.status.value = ""
        except DrillbookError as exc:
            self.status.value = f'<p class="db-message db-message-status" role="status">{esc(friendly(exc))}</p>'
            return False
        changed = bool(value != self.board.value)
        self.board.value = value
        return changed

    # -- the live loop -----------------------------------------------------------------------
    def start(self) -> bool:
        """Poll on the kernel's running event loop (in Voila and JupyterLab); without one (a
        plain script, the in-process tests) there is nothing to start."""
        try:
            loop = asyncio.get_running_loop()  # ipykernel runs cells on its own running loop
        except RuntimeError:
            return False
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run())
        return True

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while self.comm is not None:  # closed widget: stop
            try:
                self.poll_once()
            except Exception:  # noqa: BLE001 - a bug must not kill the loop silently or loudly
                log.exception("class pulse poll failed")
            await asyncio.sleep(POLL_SECONDS)

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def close(self, *args: Any, **kwargs: Any) -> None:
        self.stop()
        super().close(*args, **kwargs)
