"""A small reader that validates one YAML mapping at a time and reports file:line:field.

Scenario, host and quiz parsers all read through ``Section`` so that every error has the same
shape (``path:line: where: message``) and every mapping is checked for unknown keys.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any, NoReturn

from ._yaml import LineDict, LineList
from .errors import ScenarioError

#: Longest text field accepted; guards widgets and the page against megabyte strings.
MAX_TEXT = 20_000
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def describe(value: Any) -> str:
    """A learner-friendly name for a YAML value's type."""
    if value is None:
        return "nothing (null)"
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        LineDict: "a mapping",
        LineList: "a list",
        dict: "a mapping",
        list: "a list",
        bytes: "binary data",
    }.get(type(value), type(value).__name__)


class Section:
    """One mapping from a YAML file, read field by field.

    ``where`` is the human label used in messages (``round 'triage' choice 'B'``). Calling
    :meth:`done` afterwards rejects keys nobody asked for, which catches typos like ``minuts``.
    """

    def __init__(self, path: str, where: str, raw: Any, line: int = 0) -> None:
        self.path = path
        self.where = where
        if not isinstance(raw, dict):
            self._fail(line, "", f"expected a mapping of fields, got {describe(raw)}")
        self.raw: LineDict = raw if isinstance(raw, LineDict) else _as_line_dict(raw, line)
        self._seen: set[str] = set()

    # -- reporting -------------------------------------------------------------------------
    def _fail(self, line: int | None, field: str, message: str) -> NoReturn:
        where = f"{self.where} field '{field}'" if field and self.where else (self.where or (f"field '{field}'" if field else ""))
        raise ScenarioError.at(self.path, line or None, where, message)

    def fail(self, field: str, message: str) -> NoReturn:
        """Report a problem with ``field`` at the line where it (or this mapping) stands."""
        self._fail(self.line_of(field), field, message)

    def fail_item(self, field: str, index: int, message: str) -> NoReturn:
        """Report a problem with item ``index`` of the list ``field``, at that item's own line."""
        value = self.raw.get(field)
        self._fail(value.line_of(index) if isinstance(value, LineList) else self.line_of(field), field, message)

    def line_of(self, field: str) -> int:
        return self.raw.line_of(field)

    @property
    def line(self) -> int:
        return self.raw.line

    # -- fields ----------------------------------------------------------------------------
    def has(self, field: str) -> bool:
        return field in self.raw

    def value(self, field: str, default: Any = ..., *, required: bool = True) -> Any:
        self._seen.add(field)
        if field not in self.raw:
            if default is not ...:
                return default
            if required:
                typo = self._likely_typo(field)
                if typo:
                    self._fail(self.line_of(typo), typo, f"unknown key '{typo}' (did you mean '{field}'?)")
                self._fail(self.line, field, "is missing")
            return None
        return self.raw[field]

    def text(self, field: str, default: Any = ..., *, max_len: int = MAX_TEXT) -> str:
        value = self.value(field, default)
        if value is default and default is not ...:
            return value  # type: ignore[no-any-return]
        if not isinstance(value, str):
            self.fail(field, f"must be text, got {describe(value)} (quote it if it is meant as text)")
        if not value.strip():
            self.fail(field, "must not be empty")
        if len(value) > max_len:
            self.fail(field, f"is {len(value):,} characters long; the limit is {max_len:,}")
        return value

    def identifier(self, field: str, default: Any = ...) -> str:
        value = self.text(field, default, max_len=64)
        if value is default and default is not ...:
            return value  # type: ignore[no-any-return]
        if not _ID.match(value):
            self.fail(field, f"'{value}' is not a valid id (lowercase letters, digits, '-' and '_')")
        return value

    def integer(self, field: str, default: Any = ..., *, minimum: int = 0, maximum: int = 100_000) -> int:
        value = self.value(field, default)
        if value is default and default is not ...:
            return value  # type: ignore[no-any-return]
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, f"must be a whole number, got {describe(value)}")
        if not minimum <= value <= maximum:
            self.fail(field, f"must be between {minimum} and {maximum}, got {value}")
        return value

    def boolean(self, field: str, default: Any = ...) -> bool:
        value = self.value(field, default)
        if not isinstance(value, bool):
            self.fail(field, f"must be true or false, got {describe(value)}")
        return value

    def choice(self, field: str, allowed: tuple[str, ...] | list[str], default: Any = ...) -> str:
        value = self.text(field, default, max_len=200)
        if value not in allowed:
            self.fail(field, f"unknown value '{value}' (expected one of: {', '.join(allowed)})")
        return value

    def section(self, field: str, where: str | None = None) -> "Section":
        value = self.value(field)
        label = where if where is not None else (f"{self.where} {field}" if self.where else field)
        if not isinstance(value, dict):
            self.fail(field, f"must be a mapping of fields, got {describe(value)}")
        return Section(self.path, label, value, self.line_of(field))

    def items(self, field: str, *, default: Any = ..., min_items: int = 0, max_items: int = 500) -> Iterator[tuple[int, Any, int]]:
        """Yield ``(index, item, line)`` for a list field, checking its length."""
        value = self.value(field, default)
        if value is default and default is not ...:
            return iter(())
        if not isinstance(value, list):
            self.fail(field, f"must be a list, got {describe(value)}")
        if not min_items <= len(value) <= max_items:
            if min_items == max_items:
                self.fail(field, f"must have exactly {min_items} entries, got {len(value)}")
            self.fail(field, f"must have between {min_items} and {max_items} entries, got {len(value)}")
        lines = value.item_lines if isinstance(value, LineList) else [self.line_of(field)] * len(value)
        return iter([(i, item, lines[i]) for i, item in enumerate(value)])

    def text_list(self, field: str, *, default: Any = ..., min_items: int = 0, max_items: int = 500) -> tuple[str, ...]:
        out = []
        for index, item, line in self.items(field, default=default, min_items=min_items, max_items=max_items):
            if not isinstance(item, str) or not item.strip():
                self._fail(line, f"{field}[{index}]", f"must be non-empty text, got {describe(item)}")
            if len(item) > MAX_TEXT:
                self._fail(line, f"{field}[{index}]", f"is {len(item):,} characters long; the limit is {MAX_TEXT:,}")
            out.append(item)
        return tuple(out)

    def _likely_typo(self, field: str) -> str | None:
        unknown = [k for k in self.raw if k not in self._seen]
        close = difflib.get_close_matches(field, unknown, n=1, cutoff=0.75)
        return close[0] if close else None

    def done(self) -> None:
        """Reject keys that no reader asked for: they are typos or unsupported features."""
        for key in self.raw:
            if key not in self._seen:
                close = difflib.get_close_matches(key, sorted(self._seen), n=1, cutoff=0.75)
                hint = f"did you mean '{close[0]}'?" if close else f"known keys here: {', '.join(sorted(self._seen))}"
                self._fail(self.line_of(key), key, f"unknown key '{key}' ({hint})")


def _as_line_dict(raw: dict[str, Any], line: int) -> LineDict:
    converted = LineDict(raw)
    converted.line = line
    converted.key_lines = {}
    return converted
