"""``drillbook console SCENARIO [--at CODE]``: the practice console in a terminal.

Authors check what each state prints, reviewers compare it with a real host, and a learner
without a browser can still practise. The shell is the same :class:`~drillbook.host.Shell` the
notebook widget drives, with the same limits and messages (:mod:`drillbook.console_text`).

Two ways in, one loop:

* keyboard (stdin and stdout are a terminal): a prompt with the simulated clock, line editing
  and history through :mod:`readline`, Ctrl-C abandons the line, Ctrl-D or ``exit`` leaves;
* piped (``drillbook console bond-failover --at B-A-C < commands.txt``): each line is shown
  after the prompt as the learner would see it, then its output and what it cost.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from .console_text import FRIENDLY_ERROR, clip, cost_line

#: lines that end the terminal session (the in-browser console has nowhere to go instead)
LEAVE = ("exit", "logout")
_CLEAR_SCREEN = "\033[H\033[2J"


def open_shell(scenario_ref: str, at: str = "start") -> tuple[str, Any]:
    """(scenario title, shell on the host right after the last choice of replay code ``at``).

    The last group may end with a choice that keeps the learner in the round (``B-A-C``): the
    host is then the one that choice's result shows. DrillbookError if the scenario or the
    code is wrong."""
    from .engine import Engine
    from .errors import UnknownIdError
    from .host import host_after, shell_for
    from .host.shell import Shell
    from .replay_codes import parse_code
    from .scenario import find_scenario, load_scenario

    scenario = load_scenario(find_scenario(scenario_ref))
    engine = Engine(scenario)
    groups = parse_code("" if at == "start" else at)
    if not groups:
        return scenario.title, shell_for(engine)
    engine.replay("-".join(groups[:-1]))
    last_round = engine.current_round
    outcome = None
    for key in groups[-1]:
        if engine.current_round is not last_round:
            raise UnknownIdError(f"replay code '{at}': choice {key} comes after round "
                                 f"{getattr(last_round, 'number', '?')} was already left")
        outcome = engine.choose(key)
    state = host_after(engine, outcome) if outcome is not None else None
    return scenario.title, Shell(state) if state is not None else shell_for(engine)


def prompt_for(shell: Any) -> str:
    """``[03:22 UTC] root@db-primary-01:~# ``: the shell prompt with the simulated clock."""
    now = getattr(shell, "now", None)
    clock = f"[{now:%H:%M} UTC] " if now is not None else ""
    return f"{clock}{shell.prompt} "


def run_line(shell: Any, line: str) -> tuple[str, bool]:
    """(text to print after the command line, clear the screen?) for one typed line."""
    try:
        result = shell.run(line)
    except Exception:  # the widget shows a sentence, never a traceback; so does the terminal
        return FRIENDLY_ERROR, False
    if getattr(result, "clear", False):
        return "", True
    body = clip(result.output)
    status = cost_line(int(result.minutes or 0), result.now)
    return (f"{body}\n{status}" if body else status), False


def session(shell: Any, read: Callable[[str], str], write: Callable[[str], None], *,
            echo: bool, clear_screen: bool) -> int:
    """The loop: ``read(prompt)`` returns a line (EOFError ends, KeyboardInterrupt drops the
    line); ``echo`` prints the prompt and the line itself (piped input is not echoed by a
    terminal)."""
    while True:
        prompt = prompt_for(shell)
        try:
            line = read(prompt)
        except EOFError:
            if not echo:
                write("\n")
            return 0
        except KeyboardInterrupt:
            if echo:  # piped input: an interrupt ends the run, as it would end a script
                return 130
            write("\n")  # the terminal already echoed ^C; like bash, start a fresh prompt
            continue
        line = line.rstrip("\r\n")
        if echo:
            write(f"{prompt}{line}\n")
        if not line.strip():
            continue
        if line.strip() in LEAVE:
            write("logout\n")
            return 0
        text, clear = run_line(shell, line)
        if clear:
            if clear_screen:
                write(_CLEAR_SCREEN)
            continue
        write(text + "\n")


def _lines(stream: TextIO) -> Iterator[str]:
    yield from stream


def run_console(scenario_ref: str, at: str = "start", *, stdin: TextIO | None = None,
                stdout: TextIO | None = None) -> int:
    """Entry point of ``drillbook console``; returns the exit status."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    title, shell = open_shell(scenario_ref, at)
    interactive = stdin.isatty() and stdout.isatty()

    def write(text: str) -> None:
        stdout.write(text)
        stdout.flush()

    if interactive:
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:  # pragma: no cover - not on every platform
            pass
        where = "when the alert fires" if not at or at == "start" else f"after {at}"
        write(f"drillbook practice console: {title}, the host {where}.\n"
              "Nothing runs for real. Type help for the commands; Ctrl-D or exit leaves.\n")
        return session(shell, input, write, echo=False, clear_screen=True)
    lines = _lines(stdin)

    def read(_prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    return session(shell, read, write, echo=True, clear_screen=False)
