"""The page's query string (``?path=&name=&group=&instructor=``), wherever the notebook runs.

Voila hands a page's request to its kernel as environment variables (``QUERY_STRING``). With
preheated kernels (``./run serve`` keeps a pool warm) the kernel runs the notebook *before* any
learner asks for the page, so the variable is not there yet: ``voila.utils.get_query_string()``
waits until Voila assigns the kernel to a request and then returns that request's query. A
kernel started for a request (no pool, or the pool ran dry) gets it at once. Outside Voila
(JupyterLab, nbval, a plain ``python``) there is no request and nothing to wait for.

Call it at the last moment a notebook can: everything before the call is done ahead of time in
a warm kernel; everything after runs while the learner waits. So pages are built whole before
anyone asks, and what depends on the request (the learner's name in links, whose run to resume,
the instructor view) is applied afterwards: :func:`when_requested` queues that work in a warm
kernel (and does it at once anywhere else), and :func:`serve_request`, called by the last cell of
every page (the footer), waits for the learner and applies it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from urllib.parse import parse_qs

log = logging.getLogger("drillbook.ui")

#: Environment variables Voila sets in every kernel it starts (preheated or not); none of them
#: exists in JupyterLab or under nbval.
_VOILA_MARKERS = ("VOILA_PREHEAT", "VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_SERVER_URL")


def under_voila() -> bool:
    """Whether this kernel was started by a Voila server."""
    return any(name in os.environ for name in _VOILA_MARKERS)


#: The query once a request has claimed this kernel: Voila sends a warm kernel its request
#: once, to whichever call is waiting, and a second ``get_query_string()`` would wait forever.
_received: str | None = None


def page_query() -> str:
    """The raw query string of the page this kernel serves; ``""`` outside Voila.

    In a preheated kernel the first call blocks until a learner's request claims the kernel;
    every later call returns the same query at once.
    """
    global _received
    if not under_voila():
        return ""
    from voila.utils import get_query_string

    if os.environ.get("VOILA_PREHEAT") != "True":
        return get_query_string() or ""
    if _received is None:
        _received = get_query_string() or ""
    return _received


def awaiting_request() -> bool:
    """A warm kernel nobody has claimed yet: the page's query is not known, and asking for it
    would hold the page back until a learner arrives."""
    return under_voila() and os.environ.get("VOILA_PREHEAT") == "True" and _received is None


#: What the page applies once its request is known, in the order the cells asked for it.
_on_request: list[Callable[[dict[str, str]], None]] = []


def when_requested(apply: Callable[[dict[str, str]], None]) -> None:
    """``apply(params)`` with the page's query parameters: at once where they are known, else
    (a warm kernel) when :func:`serve_request` receives them."""
    if awaiting_request():
        _on_request.append(apply)
    else:
        apply(query_params())


def serve_request() -> dict[str, str]:
    """The page's last step: wait for the learner's request (warm kernel only), then apply it.

    One failing part must not leave the rest of the page for the wrong learner, so each is
    applied on its own and a failure is logged for whoever runs the course; the part's own view
    says what went wrong.
    """
    params = query_params()
    pending, _on_request[:] = list(_on_request), []
    for apply in pending:
        try:
            apply(params)
        except Exception:  # noqa: BLE001 - logged; the other parts still get their learner
            log.exception("could not apply the page's request to %r", apply)
    return params


def query_params(query: str | None = None) -> dict[str, str]:
    """``{name: last value}`` of ``query`` or, by default, of the page's own query string."""
    raw = page_query() if query is None else query
    return {key: values[-1] for key, values in parse_qs(raw.lstrip("?")).items() if values}
