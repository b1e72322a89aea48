"""One exception hierarchy, so callers catch a single type and print one readable sentence."""

from __future__ import annotations

from pathlib import Path


class DrillbookError(Exception):
    """Root of every error drillbook raises on purpose; the CLI catches only this."""

    exit_code = 1

    def format_message(self) -> str:
        return str(self)


class ScenarioError(DrillbookError):
    """A scenario (or quiz) file is malformed; the message names file, line and field.

    The attributes are kept separately so tests and tools can check *where* without parsing
    the sentence.
    """

    def __init__(self, path: str | Path, line: int | None, where: str, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.where = where
        self.message = message
        super().__init__(self.format_message())

    @classmethod
    def at(cls, path: str | Path, line: int | None, where: str, message: str) -> "ScenarioError":
        return cls(path, line, where, message)

    def format_message(self) -> str:
        location = f"{self.path}:{self.line}" if self.line else self.path
        prefix = f"{location}: {self.where}: " if self.where else f"{location}: "
        return prefix + self.message


class UnknownIdError(DrillbookError):
    """A round, choice or path code that the scenario does not define."""


class StoreError(DrillbookError):
    """The notes/progress database could not be read or written."""


class ReplayError(DrillbookError):
    """An event that makes no sense in the current state (e.g. choosing after the end)."""


class ToolError(DrillbookError):
    """A simulated tool's own complaint (``cat: /x: No such file or directory``).

    The console prints the message as the tool's output with a failing exit status. It has its
    own class so a real bug (a ``KeyError`` from a missing template field) is never mistaken
    for a tool's error and shown as command output.
    """

    def __init__(self, output: str) -> None:
        self.output = output
        super().__init__(output)
