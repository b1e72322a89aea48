"""Small pieces every replay view shares: verdict badges, HTML widgets and guarded callbacks.

Views never let an exception escape into the notebook: a learner should read one friendly
sentence inside the app, and the traceback goes to ``logging`` for whoever runs the course.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import HTMLStyle

from ..errors import DrillbookError
from ._html import esc

log = logging.getLogger("drillbook.ui")
#: A library must not print to the notebook: records reach whatever handlers the host app
#: configured on the root logger, and Python's "last resort" stderr handler never fires.
log.addHandler(logging.NullHandler())

_OPERATOR_FORMAT = "[drillbook %(levelname)s %(asctime)s %(name)s] %(message)s"


def report_to_operator() -> None:
    """Send drillbook's warnings and tracebacks to the kernel process's real stderr.

    Inside a kernel ``sys.stderr`` is the notebook's output area: a learner would see the
    traceback there and whoever runs the course would not. File descriptor 2 of the kernel is
    inherited from the Jupyter or Voila server, so ``sys.__stderr__`` lands in the server's own
    output, next to its request log. Called by the course's entry points (the apps build it on
    first use); idempotent, and a no-op where Python has no stderr at all.
    """
    if sys.__stderr__ is None or any(getattr(h, "_drillbook_operator", False) for h in log.handlers):
        return
    handler = logging.StreamHandler(sys.__stderr__)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter(_OPERATOR_FORMAT))
    handler._drillbook_operator = True  # type: ignore[attr-defined]
    log.addHandler(handler)

#: A symbol per verdict so the badge never relies on colour alone.
VERDICT_MARKS: dict[str, str] = {
    "recommended": "✓",
    "partial": "◐",
    "band-aid": "⚠",
    "overkill": "⏱",
    "harmful": "✗",
    "wasted": "∅",
}

F = TypeVar("F", bound=Callable[..., Any])


def badge(verdict: str, label: str) -> str:
    """The verdict as a text badge (symbol + words), coloured by CSS class."""
    mark = VERDICT_MARKS.get(verdict, "•")
    return (
        f'<span class="db-verdict db-verdict-{esc(verdict)}">'
        f'<span aria-hidden="true">{mark}</span> {esc(label)}</span>'
    )


def minutes(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"


#: Layout and style models shared by many widgets (ipywidgets allows sharing them). Every widget
#: otherwise brings its own Layout and Style model: three comm messages to open and three models
#: for the page to build, where the content needs one. Sharing them cut the replay page from
#: 150 to 115 widget models (benchmarks/RESULTS.md). Never mutate a shared one: widgets whose
#: layout or style changes (``.layout.display = ...``) keep their own.
_shared: dict[str, widgets.Widget] = {}


def shared(name: str, make: Callable[[], widgets.Widget]) -> Any:
    """The kernel's shared model ``name`` (made by ``make``), made again if it was closed."""
    model = _shared.get(name)
    if model is None or model.comm is None:  # closed, e.g. by Widget.close_all()
        model = _shared[name] = make()
    return model


def plain_layout() -> widgets.Layout:
    """The shared default layout, for widgets whose layout never changes."""
    return shared("layout", widgets.Layout)


def html(css_class: str, value: str = "") -> widgets.HTML:
    """An HTML widget carrying a drillbook CSS class (its value must already be escaped); its
    layout and style are the shared defaults, so never change them on the returned widget."""
    widget = widgets.HTML(value, layout=plain_layout(), style=shared("html-style", HTMLStyle))
    widget.add_class(css_class)
    return widget


def close_tree(widget: widgets.Widget) -> None:
    """Close a discarded view and everything in it, so long sessions do not leak widgets
    (the shared layout and style models stay open for the widgets still using them)."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in ("layout", "style"):
        sub = getattr(widget, part, None)
        if isinstance(sub, widgets.Widget) and not any(sub is m for m in _shared.values()):
            sub.close()
    widget.close()


def friendly(exc: BaseException) -> str:
    """The sentence a learner sees for an error."""
    if isinstance(exc, DrillbookError):
        return exc.format_message()
    return "Something unexpected went wrong, so nothing changed. Try again or press Restart."


def message_html(text: str, kind: str = "error") -> str:
    role = "alert" if kind == "error" else "status"
    return f'<div class="db-message db-message-{esc(kind)}" role="{role}">{esc(text)}</div>'


def guarded(show: Callable[[str], None]) -> Callable[[F], F]:
    """Wrap a widget callback so errors become a message via ``show`` and a log record."""
    report_to_operator()

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except DrillbookError as exc:
                log.info("replay event refused: %s", exc)
                show(friendly(exc))
            except Exception as exc:  # noqa: BLE001 - a widget callback must never raise
                log.exception("replay callback %s failed", getattr(fn, "__name__", fn))
                show(friendly(exc))
            return None

        return wrapper  # type: ignore[return-value]

    return decorate
