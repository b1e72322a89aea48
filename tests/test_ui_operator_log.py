"""A bug below the views: the learner reads one sentence, the operator gets the traceback.

Run in a fresh interpreter so that stdout stands in for the notebook's output area and stderr
for the kernel's inherited file descriptor 2 (the Jupyter/Voila server's own output).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    from drillbook.ui.pages import app
    replay = app("bond-failover")
    def broken_choose(key):
        raise RuntimeError("engineered failure 51c2")
    replay.engine.choose = broken_choose
    replay.card.buttons["B"].click()
    print("MESSAGE:", replay.message.value)
    """
)


def run_script() -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)


def test_callback_traceback_goes_to_stderr_and_the_learner_sees_one_sentence() -> None:
    proc = run_script()
    assert proc.returncode == 0, proc.stderr
    assert "Something unexpected went wrong" in proc.stdout
    assert "Traceback" not in proc.stdout and "engineered failure" not in proc.stdout
    assert "[drillbook ERROR" in proc.stderr
    assert "RuntimeError: engineered failure 51c2" in proc.stderr
    assert "Traceback (most recent call last)" in proc.stderr


def test_operator_handler_is_installed_once() -> None:
    from drillbook.ui import _log

    _log.report_to_operator()
    _log.report_to_operator()
    marked = [h for h in _log.log.handlers if getattr(h, "_drillbook_operator", False)]
    assert len(marked) == 1
