"""``grep``'s pattern languages mapped onto Python regular expressions, compiled with the
``regex`` package because its searches take a ``timeout=``: grep uses a DFA, a backtracking
engine does not, and a short pattern such as ``a*a*a*a*a*a*a*a*[bc]`` can backtrack for minutes.
Patterns known to explode (``(a*)*``) are refused at once; every other one is searched under the
console's time limit (see :mod:`.limits`), so a console answers promptly whatever is typed."""

from __future__ import annotations

import re

import regex

_CLASSES = {"[:digit:]": "0-9", "[:alpha:]": "a-zA-Z", "[:alnum:]": "a-zA-Z0-9", "[:upper:]": "A-Z",
            "[:lower:]": "a-z", "[:space:]": r" \t\n\r\f\v", "[:blank:]": r" \t", "[:xdigit:]": "0-9A-Fa-f",
            "[:punct:]": r"!-/:-@\[-`{-~", "[:print:]": r" -~", "[:graph:]": r"!-~", "[:cntrl:]": r"\x00-\x1f"}
MAX_PATTERN = 500


class PatternError(Exception):
    """The pattern is invalid or too costly; ``message`` is grep's complaint."""


def _bracket(p: str, i: int) -> tuple[str, int]:
    """Copy a bracket expression starting at ``p[i] == '['``; returns (python text, next index)."""
    j = i + 1
    if j < len(p) and p[j] == "^":
        j += 1
    if j < len(p) and p[j] == "]":
        j += 1
    while j < len(p) and p[j] != "]":
        if p.startswith("[:", j):
            end = p.find(":]", j + 2)
            if end < 0:
                raise PatternError("grep: Unmatched [, [^, [:, [., or [=")
            j = end + 2
        else:
            j += 1
    if j >= len(p):
        raise PatternError("grep: Unmatched [, [^, [:, [., or [=")
    body = p[i + 1:j]
    for posix, python in _CLASSES.items():
        body = body.replace(posix, python)
    body = body.replace("\\", "\\\\")
    if body.startswith("^"):
        body = "^" + body[1:].replace("[", "\\[")
    else:
        body = body.replace("[", "\\[")
    return f"[{body}]", j + 1


def to_python(pattern: str, *, extended: bool, fixed: bool) -> str:
    if fixed:
        return re.escape(pattern)
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            n = pattern[i + 1]
            if n in "(){}|+?" and not extended:
                out.append(n)
            elif n in "<>":
                out.append(r"\b")
            elif n in "wWsSb1234567890":
                out.append("\\" + n)
            else:
                out.append(re.escape(n))
            i += 2
            continue
        if c == "[":
            text, i = _bracket(pattern, i)
            out.append(text)
            continue
        if c in "(){}|+?" and not extended:
            out.append("\\" + c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _too_costly(python: str) -> bool:
    """A repeated group that itself repeats or alternates (``(a*)*``, ``( |x)+``) can take
    exponential time; grep uses a DFA, Python does not, so such patterns are refused."""
    stack: list[bool] = []
    i = 0
    while i < len(python):
        c = python[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            end = python.find("]", i + 2)
            i = len(python) if end < 0 else end + 1
            continue
        if c == "(":
            stack.append(False)
        elif c == ")" and stack:
            inner = stack.pop()
            if inner and python[i + 1:i + 2] in ("*", "+", "?", "{"):
                return True
            if stack:
                stack[-1] = stack[-1] or inner
        elif c in "*+?{|" and stack:
            stack[-1] = True
        i += 1
    return False


def compile_pattern(pattern: str, *, extended: bool = False, fixed: bool = False, ignore_case: bool = False,
                    word: bool = False) -> regex.Pattern[str]:
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"drillbook: grep patterns are limited to {MAX_PATTERN} characters here")
    python = to_python(pattern, extended=extended, fixed=fixed)
    if _too_costly(python):
        raise PatternError("drillbook: this grep pattern is too complex for the practice console")
    if word:
        python = rf"(?<!\w)(?:{python})(?!\w)"
    try:
        return regex.compile(python, regex.IGNORECASE if ignore_case else 0)
    except (regex.error, OverflowError, RecursionError):
        raise PatternError("grep: Invalid regular expression") from None
