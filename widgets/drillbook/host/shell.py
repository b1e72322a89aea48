"""The practice console's interpreter: one typed line in, a :class:`ShellResult` out.

It understands what an engineer types at an incident console (pipes into grep, ``&&``, ``;``,
``sudo``, ``sleep``) and answers everything else in character. It never raises: a broken
line, a 10,000-character paste or a fork bomb all come back as text. No real process is ever
started: commands are Python functions over the simulated :class:`HostState`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .. import _text
from . import kernel
from ._syntax import ShellSyntaxError, parse
from ._templates import tool
from .commands import COMMANDS, FREE, Ctx
from .limits import DEFAULT_LIMITS, Budget, LimitReached, Limits, limit_message
from .model import HostState

#: characters of a learner's word echoed back in an error (a pasted megabyte stays readable)
MAX_ECHO = 120
#: characters of one typed line echoed back as the command
MAX_SHOWN = 1000

#: destructive commands answered in character, with no effect
_REFUSALS = {
    "reboot": "drillbook: reboot is refused in this practice console: rebooting the primary database now "
              "would destroy the evidence (nothing happened)",
    "shutdown": "drillbook: shutdown is refused in this practice console (nothing happened)",
    "poweroff": "drillbook: poweroff is refused in this practice console (nothing happened)",
    "halt": "drillbook: halt is refused in this practice console (nothing happened)",
    "init": "drillbook: changing the runlevel is refused in this practice console (nothing happened)",
    "telinit": "drillbook: changing the runlevel is refused in this practice console (nothing happened)",
    "dd": "drillbook: dd is refused in this practice console: one wrong of= wipes a disk (nothing happened)",
    "mkfs": "drillbook: making filesystems is refused in this practice console (nothing happened)",
    "fdisk": "drillbook: partitioning is refused in this practice console (nothing happened)",
    "wipefs": "drillbook: wipefs is refused in this practice console (nothing happened)",
    "kill": "drillbook: killing processes is refused in this practice console (nothing happened)",
    "killall": "drillbook: killing processes is refused in this practice console (nothing happened)",
    "pkill": "drillbook: killing processes is refused in this practice console (nothing happened)",
    "rmmod": "drillbook: unloading kernel modules is refused in this practice console (nothing happened)",
    "modprobe": "drillbook: loading or unloading kernel modules is not simulated here (nothing happened)",
    "chmod": "drillbook: changing permissions is refused in this practice console (nothing happened)",
    "chown": "drillbook: changing owners is refused in this practice console (nothing happened)",
    "mv": "drillbook: moving files is refused in this practice console (nothing happened)",
}
_RM_ROOT = "rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe"
_INTERACTIVE = {"vi", "vim", "nano", "emacs", "top", "htop", "watch", "man", "ssh", "tmux", "screen", "su",
                "bash", "sh", "python", "python3", "perl", "mtr", "tcpdump", "iftop", "nmtui"}


@dataclass(frozen=True)
class ShellResult:
    """What the console shows for one line."""

    command: str  #: the line as typed (control characters shown as ^X)
    output: str  #: terminal text, no trailing newline
    minutes: int  #: simulated minutes this line cost (0 for help/history/clear/empty/refused)
    clear: bool = False  #: the learner asked to clear the screen
    status: int = 0  #: exit status of the last command, as ``$?`` would be
    now: dt.datetime | None = None  #: the host's simulated clock after the line
    limit: str | None = None  #: the console limit that stopped the line (``"minutes"``...), if any


def printable(text: str, limit: int = MAX_ECHO) -> str:
    """Control characters as ``^X`` (as a terminal echoes them), long text cut with an ellipsis."""
    return _text.printable(text, limit, keep="\t\n")


@dataclass
class Shell:
    """A root shell on the simulated host; keeps its own history. ``limits`` bound what one
    submission may cost (input, commands, output, simulated minutes, grep time), for every front
    end that runs lines through this shell."""

    state: HostState
    history: list[str] = field(default_factory=list)
    limits: Limits = DEFAULT_LIMITS

    @property
    def prompt(self) -> str:
        return f"root@{self.state.hostname}:~#"

    @property
    def now(self) -> dt.datetime | None:
        return self.state.kernel.now if self.state.kernel is not None else None

    def run(self, line: str) -> ShellResult:
        """Interpret one submission, one or more lines (never raises; every failure is text in
        the result)."""
        if not isinstance(line, str):
            line = "" if line is None else str(line)
        try:
            return self._run_input(line)
        except Exception as exc:  # a bug must not reach the learner as a traceback
            return ShellResult(printable(line, MAX_SHOWN),
                               f"drillbook: the console could not run this line ({type(exc).__name__})",
                               0, now=self.now)

    def _run_input(self, line: str) -> ShellResult:
        if len(line) > self.limits.input_chars:
            shown = printable(line, MAX_SHOWN)
            self._remember(shown)
            return ShellResult(shown, limit_message("input", self.limits.input_chars), 0, status=1,
                               now=self.now, limit="input")
        budget = Budget(self.limits, base_minutes=self.state.console_minutes)
        physical = re.split(r"\r\n|\r|\n", line)
        if len(physical) == 1:
            return self._run_line(line, budget)
        lines = [p for p in physical if p.strip()]
        results: list[ShellResult] = []
        for text in lines[:self.limits.lines]:
            results.append(self._run_line(text, budget))
            if results[-1].limit:
                break
        if not results:
            return self._run_line("", budget)
        limit = results[-1].limit
        outputs = [r.output for r in results if r.output]
        if limit is None and len(lines) > self.limits.lines:
            limit = "lines"
            outputs.append(limit_message("lines", self.limits.lines))
        return ShellResult(
            command="\n".join(r.command for r in results), output="\n".join(outputs),
            minutes=sum(r.minutes for r in results), clear=any(r.clear for r in results),
            status=1 if limit else results[-1].status, now=self.now, limit=limit,
        )

    def _remember(self, shown: str) -> None:
        self.history.append(shown)
        del self.history[:-self.limits.history]

    def _run_line(self, line: str, budget: Budget) -> ShellResult:
        shown = printable(line, MAX_SHOWN)
        if not line.strip():
            return ShellResult(shown, "", 0, now=self.now)
        self._remember(shown)
        if re.search(r":\s*\(\s*\)\s*\{", line):
            return ShellResult(shown, "drillbook: a fork bomb, at 3 a.m., on the primary database? "
                                      "Refused (nothing happened).", 0, status=1, now=self.now)
        start = self.state.kernel.uptime_s if self.state.kernel else 0.0
        ctx = Ctx(self.state, history=list(self.history), budget=budget)
        try:
            steps = parse(line)
        except ShellSyntaxError as exc:
            return ShellResult(shown, exc.message, 0, status=2, now=self.now)
        outputs: list[str] = []
        status = 0
        limit: str | None = None
        budget.begin_line()
        try:
            for step in steps:
                if step.joiner == "&&" and status != 0:
                    continue
                data: str | None = None
                for argv in step.pipeline:
                    budget.command()
                    data, status = self._run_command(ctx, list(argv), data)
                    budget.output(data)
                if data:
                    outputs.append(data)
        except LimitReached as stop:
            outputs.append(stop.message)
            status, limit = 1, stop.key
        minutes = budget.end_line()
        if self.state.kernel is not None:
            kernel.advance(self.state, start + minutes * 60 - self.state.kernel.uptime_s)
        return ShellResult(shown, "\n".join(outputs), minutes, clear=ctx.clear, status=status, now=self.now,
                           limit=limit)

    def _run_command(self, ctx: Ctx, argv: list[str], stdin: str | None) -> tuple[str, int]:
        while argv and argv[0] == "sudo":
            argv = argv[1:]
            while argv and argv[0].startswith("-"):
                argv = argv[1:]
        if not argv:
            return "usage: sudo -h | -K | -k | -V\nusage: sudo [-AbEHknPS] [command [arg ...]]", 1
        name, args = argv[0], argv[1:]
        refusal = self._refusal(name, args)
        if refusal is not None:
            return refusal, 1
        if name in _INTERACTIVE:
            return f"drillbook: {printable(name)} is interactive and not available in this practice console", 1
        handler = COMMANDS.get(name)
        if handler is None:
            return tool("not_found", name=printable(name)), 127
        if name not in FREE:
            ctx.budget.charge()
        return handler(ctx, args, stdin)

    @staticmethod
    def _refusal(name: str, args: list[str]) -> str | None:
        base = name.split(".")[0]
        if name == "rm":
            recursive = any(a.startswith("-") and not a.startswith("--") and ("r" in a or "R" in a)
                            for a in args) or "--recursive" in args
            if recursive and any(a.rstrip("/") in ("", "/*") or a == "/*" for a in args if not a.startswith("-")):
                return _RM_ROOT
            return "drillbook: deleting files is refused in this practice console (nothing happened)"
        if name in _REFUSALS:
            return _REFUSALS[name]
        if base == "mkfs":
            return _REFUSALS["mkfs"]
        return None
