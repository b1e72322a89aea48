"""Find console commands in prose and repair the spacing that HTML-to-text conversion lost.

``cat /proc/net/bonding/bond0shows`` cannot be split by grammar alone: only a list of known
command shapes (``commands.yaml`` beside this module, data rather than code) says where the
command ends. Known commands found in text are wrapped in ``backticks``, the inline-code markup
the views render, and commands chained with ``&&``, ``||``, ``;`` or ``|`` become one span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

#: What each placeholder in ``commands.yaml`` may match.
PLACEHOLDERS = {
    "dev": r"[a-z]+[0-9]+(?:[a-z][0-9]+)*",  # eth1, bond0, ens1f0 (stops before glued prose)
    "n": r"[0-9]+",
    "ip": r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}",
    "path": r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*",
}
_CHAIN = re.compile(r"\s*(?:&&|\|\||;|\|)\s*")
#: A command may follow punctuation glued to it ("firmware.dmesg"), never letters or a path.
_START = r"(?<![A-Za-z0-9_/`-])"
_CODE_SPAN = re.compile(r"(`[^`]*`)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@lru_cache(maxsize=1)
def _data() -> dict[str, list[str]]:
    data = yaml.safe_load((Path(__file__).with_name("commands.yaml")).read_text(encoding="utf-8"))
    return {key: [str(item) for item in data[key]] for key in ("commands", "glue_words")}


def known_commands() -> list[str]:
    """The command shapes from ``commands.yaml``, in matching order."""
    return _data()["commands"]


def _shape_regex(shape: str) -> str:
    parts = re.split(r"\{(\w+)\}", shape)
    out = []
    for index, part in enumerate(parts):
        out.append(PLACEHOLDERS[part] if index % 2 else r"\s+".join(re.escape(w) for w in part.split(" ")))
    # a shape ending in a word ("ip link") must end at a word boundary ("ip linkage" is prose);
    # one ending in a placeholder (eth1, an address, a number) may be glued to the next word
    return "".join(out) + ("" if shape.endswith("}") else r"(?![\w-])")


def _alternation() -> str:
    return "(?:" + "|".join(f"(?:{_shape_regex(s)})" for s in known_commands()) + ")"


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    return re.compile(_START + _alternation())


@lru_cache(maxsize=1)
def _glued() -> re.Pattern[str]:
    """A glue word stuck to the front of a known command: ``andip route get``."""
    words = "|".join(re.escape(w) for w in _data()["glue_words"])
    return re.compile(rf"\b({words})(?={_alternation()})", re.I)


def _spans(text: str) -> list[Span]:
    """Known commands in ``text``, chained ones merged into one span."""
    spans: list[Span] = []
    for match in _pattern().finditer(text):
        if spans:
            between = text[spans[-1].end:match.start()]
            if _CHAIN.fullmatch(between):
                spans[-1] = Span(spans[-1].start, match.end())
                continue
        spans.append(Span(match.start(), match.end()))
    return spans


def commands_in(text: str) -> list[str]:
    """The commands quoted in ``text`` (in backticks or not), in order, without repeats."""
    found: list[str] = []
    for part in _CODE_SPAN.split(text):
        body = part[1:-1] if part.startswith("`") and part.endswith("`") and len(part) > 1 else part
        for span in _spans(body):
            command = " ".join(body[span.start:span.end].split())
            if command not in found:
                found.append(command)
    return found


def _repair_plain(text: str, quote: bool) -> str:
    text = _glued().sub(r"\1 ", text)
    out: list[str] = []
    last = 0
    for span in _spans(text):
        before = text[last:span.start]
        command = text[span.start:span.end]
        if before and not before[-1].isspace() and before[-1] not in "([{\"'“‘":
            before += " "
        out.append(before)
        out.append(f"`{command}`" if quote else command)
        last = span.end
        if last < len(text) and (text[last].isalnum() or text[last] in "(["):
            out.append(" ")
    out.append(text[last:])
    return "".join(out)


def repair(text: str, *, quote: bool) -> str:
    """Put back the spaces around known commands and, if ``quote``, wrap them in backticks.
    Text already in backticks is left alone."""
    parts = _CODE_SPAN.split(text)
    return "".join(p if p.startswith("`") and p.endswith("`") and len(p) > 1 else _repair_plain(p, quote) for p in parts)
