"""What the Markdown importer reads a document into, and how it reads the file itself.

:class:`Document` keeps every piece of text with the line it came from, so each later step
(inference, emitting, validation) can name the Markdown line behind a problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ScenarioError

MAX_BYTES = 1_000_000


class MarkdownError(ScenarioError):
    """A line of the Markdown the importer could not understand; ``file:line: message``."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        super().__init__(path, line, "", message)


@dataclass
class Text:
    """A piece of text and the line it starts on."""

    value: str
    line: int


@dataclass
class ChoiceDraft:
    key: str
    label: str
    line: int
    marked_recommended: bool = False
    result: Text | None = None
    heading_line: int = 0  #: the line of its "If you chose X:" heading


@dataclass
class RoundDraft:
    number: int
    title: str
    line: int
    pressure_cue: Text | None = None
    what_you_see: Text | None = None
    choices: list[ChoiceDraft] = field(default_factory=list)
    actions: list[Text] = field(default_factory=list)
    actions_line: int = 0


@dataclass
class Document:
    path: str
    title: Text
    setup: dict[str, Text] = field(default_factory=dict)
    setup_extra: list[Text] = field(default_factory=list)  #: setup items the scenario has no field for
    setup_line: int = 0
    rounds: list[RoundDraft] = field(default_factory=list)
    damage: list[Text] = field(default_factory=list)
    damage_line: int = 0
    cross_references: list[Text] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)  #: free text outside any section


def read_lines(path: str | Path) -> list[str]:
    """The document's lines; binary, oversized, undecodable or empty input is a one-line error."""
    shown = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise MarkdownError(shown, None, f"cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise MarkdownError(shown, 1, f"the file is {len(raw):,} bytes; an incident replay is limited to {MAX_BYTES:,}")
    if b"\x00" in raw:
        raise MarkdownError(shown, raw.count(b"\n", 0, raw.index(b"\x00")) + 1, "the file contains a NUL byte; is it binary?")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MarkdownError(shown, raw.count(b"\n", 0, exc.start) + 1, "the file is not UTF-8 text; is it binary?") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, 1):
        bad = next((ch for ch in line if (ord(ch) < 32 and ch not in "\t\f") or 0x7F <= ord(ch) < 0xA0), None)
        if bad is not None:
            raise MarkdownError(shown, number, f"unexpected control character U+{ord(bad):04X}; is the file binary?")
    if not any(line.strip() for line in lines):
        raise MarkdownError(shown, 1, "the file is empty; expected an incident replay (a title, Setup, Round 1: …)")
    return lines
