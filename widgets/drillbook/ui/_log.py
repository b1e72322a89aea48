"""Where the views' warnings and tracebacks go: to whoever runs the course, never the learner.

A library must not print to the notebook: records reach whatever handlers the host app
configured on the root logger, and Python's "last resort" stderr handler never fires.
"""

from __future__ import annotations

import logging
import sys

log = logging.getLogger("drillbook.ui")
log.addHandler(logging.NullHandler())

_OPERATOR_FORMAT = "[drillbook %(levelname)s %(asctime)s %(name)s] %(message)s"


class _OperatorHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler :func:`report_to_operator` installs (its class marks it as installed)."""

    _drillbook_operator = True


def report_to_operator() -> None:
    """Send drillbook's warnings and tracebacks to the kernel process's real stderr.

    Inside a kernel ``sys.stderr`` is the notebook's output area: a learner would see the
    traceback there and whoever runs the course would not. File descriptor 2 of the kernel is
    inherited from the Jupyter or Voila server, so ``sys.__stderr__`` lands in the server's own
    output, next to its request log. Called by the course's entry points (the apps build it on
    first use); idempotent, and a no-op where Python has no stderr at all.
    """
    if sys.__stderr__ is None or any(isinstance(h, _OperatorHandler) for h in log.handlers):
        return
    handler = _OperatorHandler(sys.__stderr__)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter(_OPERATOR_FORMAT))
    log.addHandler(handler)
