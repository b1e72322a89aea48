"""The page's query string (``?path=&name=&group=&instructor=``), wherever the notebook runs.

Voila hands a page's request to its kernel as environment variables (``QUERY_STRING``). With
preheated kernels (``./run serve`` keeps a pool warm) the kernel runs the notebook *before* any
learner asks for the page, so the variable is not there yet: ``voila.utils.get_query_string()``
waits until Voila assigns the kernel to a request and then returns that request's query. A
kernel started for a request (no pool, or the pool ran dry) gets it at once. Outside Voila
(JupyterLab, nbval, a plain ``python``) there is no request and nothing to wait for.

Call it at the last moment a notebook can: everything before the call is done ahead of time in
a warm kernel; everything after runs while the learner waits.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs

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


def query_params(query: str | None = None) -> dict[str, str]:
    """``{name: last value}`` of ``query`` or, by default, of the page's own query string."""
    raw = page_query() if query is None else query
    return {key: values[-1] for key, values in parse_qs(raw.lstrip("?")).items() if values}
