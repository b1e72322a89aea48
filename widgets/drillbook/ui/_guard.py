"""Guarded callbacks: a view never lets an exception escape into the notebook.

A learner reads one friendly sentence inside the app; the traceback goes to ``logging`` (and,
through :func:`._log.report_to_operator`, to whoever runs the course).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import DrillbookError
from ._html import esc
from ._log import log, report_to_operator

F = TypeVar("F", bound=Callable[..., Any])


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
