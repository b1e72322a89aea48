"""The one module of ``drillbook.ui`` that imports the simulated host, and the one that
builds consoles on it (``tests/test_ui_layers.py`` keeps it that way).

The views need three things from the host package: the command output a choice reveals, a
shell for the current host state, and the console widget around that shell. Keeping the
imports here means a renamed function is fixed in one file, not in every view, and the host
is loaded only when a page first needs it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ipywidgets as widgets

    from ..engine import Engine, Outcome
    from ..host import ShellResult


def reveal(engine: "Engine", outcome: "Outcome") -> list[tuple[str, str]]:
    """``(command, output)`` pairs for the choice's ``reveals``, rendered right after it."""
    from ..host import reveal as host_reveal

    return list(host_reveal(engine, outcome))


def shell_for(engine: "Engine") -> Any:
    """A shell (``run(line) -> ShellResult(output, minutes, clear)``) on the engine's host."""
    from ..host import shell_for as host_shell_for

    return host_shell_for(engine)


def console(shell: Any, on_minutes: Callable[[int], None] | None = None, *, styled: bool = False) -> "widgets.Widget":
    """The console widget, charging each command's minutes through ``on_minutes``; embedded
    in a view that already carries the stylesheet unless ``styled``."""
    from .console import Console

    return Console(shell, on_minutes=on_minutes, styled=styled)


def console_run(console_widget: Any, line: str) -> None:
    """Run ``line`` in the console as if the learner had typed it (shown on its screen)."""
    console_widget.run(line)


def retarget(console_widget: Any, shell: Any) -> None:
    """Point an existing console at a new shell (the host after the latest choice), keeping
    what is already on its screen."""
    console_widget.shell = shell


def costing(result: "ShellResult", minutes: int) -> "ShellResult":
    """A shell result that shows ``minutes`` as its cost (what the engine charged for it)."""
    return dataclasses.replace(result, minutes=minutes)
