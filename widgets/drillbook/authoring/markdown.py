"""Read an incident replay written as a Markdown document into a :class:`Document`.

The format is the one teams already write (and the first incident's seed uses): a title, a
``Setup`` list, ``Round N: Title`` sections with a ``[Pressure cue: "…"]``, ``What you see:``,
choices A-D and one ``If you chose X:`` result each, a remediation round with numbered
``Actions:``, a ``Damage Report`` list and ``Cross-References``. Real documents arrive converted
from HTML or chat: headings with or without ``#`` and pilcrows, choices on one line or one per
line, bracket blocks spanning lines. Every line is either understood or named in a
:class:`MarkdownError` (``file:line: message``); nothing is silently dropped.

This module only reads structure; :mod:`.infer` guesses what the words imply and :mod:`.emit`
writes the YAML.
"""

from __future__ import annotations

import re
from pathlib import Path

from .document import ChoiceDraft, Document, MarkdownError, RoundDraft, Text, read_lines

SETUP_KEYS = {"system context": "system_context", "context": "system_context", "system": "system_context",
              "time": "time_of_day", "time of day": "time_of_day", "when": "time_of_day",
              "your role": "role", "role": "role"}
SETUP_LABELS = {"system_context": "System context", "time_of_day": "Time", "role": "Your role"}

_ROUND = re.compile(r"^round\s+(\d+)\s*[:.—–-]\s*(\S.*)$", re.I)
_ROUND_NO_COLON = re.compile(r"^[Rr]ound\s+(\d+)\s+([A-Z].*)$")  # "Round 2 First Triage Data"
_CHOSE = re.compile(r"^if\s+you\s+chose\s+\(?([A-Za-z])\)?(\s*\(recommended\))?\s*(?::\s*(.*))?$", re.I)
_CHOSE_LOOSE = re.compile(r"^if\s+you\s+(?:chose|choose|picked|pick)\b", re.I)
_SECTION = {"setup": "setup", "damage report": "damage", "damage": "damage",
            "cross-references": "xrefs", "cross references": "xrefs", "cross-reference": "xrefs",
            "see also": "xrefs", "references": "xrefs"}
_LABEL = re.compile(r"^(what you see|choose your action|choose an action|your options|choices|options|"
                    r"actions|remediation actions|result)\s*:\s*(.*)$", re.I)
_BULLET = re.compile(r"^[-*•+]\s+(.*)$")
_NUMBERED = re.compile(r"^(\d+)[.)]\s+(.*)$")
_CHOICE = re.compile(r"^(?:[-*•+]\s*)?(?:\*\*)?\(?([A-Za-z])\)(?:\*\*)?\s+(\S.*)$")
_CHOICE_DOTTED = re.compile(r"^[-*•+]\s*([A-Za-z])[.:]\s+(\S.*)$")
_INLINE_CHOICE = re.compile(r"(?:^|\s)[-*•+]\s*\(?([A-Za-z])\)\s+")
_RECOMMENDED = re.compile(r"\s*\((?:recommended|best)\)\s*", re.I)
_TITLE_PREFIX = re.compile(r"^incident\s+replay\s*[:—–-]\s*", re.I)
_MARKED_HEADING = re.compile(r"^#|¶\s*$")


def heading_form(line: str) -> str:
    """A line without heading marks: leading/trailing ``#``, trailing pilcrows, ``**`` wrappers."""
    text = line.strip()
    previous = None
    while text != previous:
        previous = text
        text = text.lstrip("#").strip().rstrip("¶").rstrip("#").strip()
        if len(text) > 4 and text[:2] in ("**", "__") and text[-2:] == text[:2]:
            text = text[2:-2].strip()
    return text


def clean(text: str) -> str:
    """Collapse whitespace (joined lines, non-breaking spaces) to single spaces."""
    return " ".join(text.split())


class _Reader:
    """A cursor over the lines, with the current section and where free text goes."""

    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.index = 0
        self.doc: Document | None = None
        self.section = "preamble"
        self.round: RoundDraft | None = None
        self.choice: ChoiceDraft | None = None
        self.mode = ""  # where a plain line goes: "see", "choices", "actions", "result", "closed"

    def fail(self, line: int, message: str) -> MarkdownError:
        return MarkdownError(self.path, line, message)

    def block(self, first: str, line: int) -> tuple[str, int]:
        """A ``[Label: …]`` block that may span lines; returns its inside and its last line."""
        depth, parts, number, text = 0, [], line, first
        while True:
            for pos, ch in enumerate(text):
                depth += (ch == "[") - (ch == "]")
                if depth == 0:
                    rest = text[pos + 1:].strip()
                    if rest:
                        raise self.fail(number, f"text after the closing ']' of the block opened at line {line}: '{_short(rest)}'")
                    parts.append(text[:pos])
                    inside = " ".join(parts)
                    return inside[1:] if inside.startswith("[") else inside, number
            parts.append(text)
            self.index += 1
            if self.index >= len(self.lines) or _is_heading(self.lines[self.index]):
                raise self.fail(line, "the '[' opened here is never closed with ']'")
            number, text = self.index + 1, self.lines[self.index].strip()


    # -- dispatch ------------------------------------------------------------------------------
    def line(self, text: str, number: int) -> None:
        form = heading_form(text)
        if self.doc is None:
            if _is_heading(text):
                raise self.fail(number, f"the document starts with '{_short(form)}'; expected a title line first "
                                        "(e.g. 'Incident Replay: Network Bonding Failover Not Working')")
            title = clean(_TITLE_PREFIX.sub("", form))
            if not title:
                raise self.fail(number, "the title line has no title after 'Incident Replay:'")
            self.doc = Document(self.path, Text(title, number))
            return
        section = _SECTION.get(form.lower().rstrip(":").strip())
        if section:
            self.start_section(section, number)
        elif match := _ROUND.match(form):
            self.start_round(int(match[1]), clean(match[2]), number)
        elif match := _CHOSE.match(form):
            self.start_result(match, number)
        elif _CHOSE_LOOSE.match(form):
            raise self.fail(number, f"'{_short(form)}': write one result heading per choice, like 'If you chose B:'")
        elif match := _ROUND_NO_COLON.match(form):
            fixed = _short(f"Round {match[1]}: {match[2]}")
            raise self.fail(number, f"'{_short(form)}' looks like a round heading; write it as '{fixed}'")
        elif _MARKED_HEADING.search(text) and not _LABEL.match(form):
            raise self.fail(number, f"heading '{_short(form)}' is not part of the incident replay format "
                                    "(expected Setup, Round N: Title, If you chose X:, Damage Report or Cross-References)")
        elif self.section == "round":
            self.round_line(text, form, number)
        else:
            self.list_line(text, number)

    def start_section(self, name: str, number: int) -> None:
        doc = self.document
        self.close_round()
        self.section = name
        if name == "setup":
            if doc.setup_line:
                raise self.fail(number, f"a second Setup section (the first is at line {doc.setup_line})")
            doc.setup_line = number
        elif name == "damage":
            if doc.damage_line:
                raise self.fail(number, f"a second Damage Report (the first is at line {doc.damage_line})")
            doc.damage_line = number

    def start_round(self, number_in_title: int, title: str, number: int) -> None:
        doc = self.document
        self.close_round()
        expected = len(doc.rounds) + 1
        if number_in_title != expected:
            after = f"Round {expected - 1}" if expected > 1 else "the setup"
            raise self.fail(number, f"Round {number_in_title} follows {after}; expected Round {expected}")
        self.round = RoundDraft(expected, title, number)
        doc.rounds.append(self.round)
        self.section, self.mode, self.choice = "round", "", None

    def start_result(self, match: re.Match[str], number: int) -> None:
        rnd = self.round
        key = match[1].upper()
        if rnd is None or self.section != "round":
            raise self.fail(number, f"'If you chose {key}' stands outside any round")
        choice = next((c for c in rnd.choices if c.key == key), None)
        if choice is None:
            known = ", ".join(c.key for c in rnd.choices) or "none yet"
            raise self.fail(number, f"Round {rnd.number} has no choice {key} to give a result for (choices: {known})")
        if choice.heading_line:
            raise self.fail(number, f"a second 'If you chose {key}' in Round {rnd.number} (the first is at line {choice.heading_line})")
        choice.heading_line = number
        choice.marked_recommended = choice.marked_recommended or bool(match[2])
        self.choice, self.mode = choice, "result"
        if (match[3] or "").strip():
            self.result_line(match[3].strip(), number)

    # -- rounds --------------------------------------------------------------------------------
    def round_line(self, text: str, form: str, number: int) -> None:
        rnd = self.round
        assert rnd is not None
        if self.mode in ("result", "closed"):
            self.result_line(text, number)
            return
        if text.startswith("["):
            inside, _ = self.block(text, number)
            label, sep, body = inside.partition(":")
            kind = label.strip().lower()
            if kind in ("pressure cue", "pressure", "cue") and sep:
                if rnd.pressure_cue is not None:
                    raise self.fail(number, f"a second pressure cue in Round {rnd.number} (the first is at line {rnd.pressure_cue.line})")
                rnd.pressure_cue = Text(_unquote(clean(body)), number)
            elif kind == "what you see" and sep:
                rnd.what_you_see = _add_text(rnd.what_you_see, body, number)
            elif kind in ("result", "outcome"):
                raise self.fail(number, "a [Result: …] block needs an 'If you chose X:' heading above it")
            else:
                raise self.fail(number, f"unknown block '[{_short(label.strip())}…]' (expected [Pressure cue: \"…\"])")
            self.mode = ""
            return
        if match := _LABEL.match(form):
            self.label_line(match[1].lower(), match[2].strip(), number)
            return
        if self.mode == "actions":
            item = _NUMBERED.match(text) or _BULLET.match(text)
            if item:
                rnd.actions.append(Text(clean(item[item.lastindex or 1]), number))
            elif rnd.actions:
                _add_text(rnd.actions[-1], text, number)
            else:
                raise self.fail(number, f"expected numbered actions ('1. …') after 'Actions:', found '{_short(text)}'")
            return
        choice = _CHOICE.match(text) or (_CHOICE_DOTTED.match(text) if self.mode == "choices" else None)
        if choice:
            self.add_choice(choice[1], choice[2], number)
            self.mode = "choices"
        elif self.mode == "choices":
            if not rnd.choices:
                raise self.fail(number, f"expected choices like '- A) …' in Round {rnd.number}, found '{_short(text)}'")
            rnd.choices[-1].label = clean(rnd.choices[-1].label + " " + text)
        else:
            rnd.what_you_see = _add_text(rnd.what_you_see, text, number)
            self.mode = "see"

    def label_line(self, label: str, rest: str, number: int) -> None:
        rnd = self.round
        assert rnd is not None
        if label == "what you see":
            self.mode = "see"
            if rest:
                rnd.what_you_see = _add_text(rnd.what_you_see, rest, number)
        elif label in ("actions", "remediation actions"):
            self.mode = "actions"
            rnd.actions_line = rnd.actions_line or number
            if rest:
                rnd.actions.append(Text(clean(rest), number))
        elif label == "result":
            raise self.fail(number, "a 'Result:' needs an 'If you chose X:' heading above it")
        else:
            self.mode = "choices"
            if rest:
                self.inline_choices(rest, number)

    def inline_choices(self, rest: str, number: int) -> None:
        parts = _INLINE_CHOICE.split(" " + rest)
        if len(parts) < 3:
            single = _CHOICE.match(rest)
            if not single:
                raise self.fail(number, f"could not find choices like '- A) …' in '{_short(rest)}'")
            self.add_choice(single[1], single[2], number)
            return
        if parts[0].strip():
            raise self.fail(number, f"text before the first choice: '{_short(parts[0].strip())}'")
        for key, label in zip(parts[1::2], parts[2::2]):
            self.add_choice(key, label, number)

    def add_choice(self, key: str, label: str, number: int) -> None:
        rnd = self.round
        assert rnd is not None
        key = key.upper()
        if key not in "ABCD":
            raise self.fail(number, f"choice {key} in Round {rnd.number}: choices are lettered A to D")
        first = next((c for c in rnd.choices if c.key == key), None)
        if first is not None:
            raise self.fail(number, f"choice {key} appears twice in Round {rnd.number} (first at line {first.line})")
        marked = bool(_RECOMMENDED.search(label))
        label = clean(_RECOMMENDED.sub(" ", label))
        if not label:
            raise self.fail(number, f"choice {key} in Round {rnd.number} has no text")
        rnd.choices.append(ChoiceDraft(key, label, number, marked))

    def result_line(self, text: str, number: int) -> None:
        choice, rnd = self.choice, self.round
        assert choice is not None and rnd is not None
        where = f"choice {choice.key} of Round {rnd.number}"
        if self.mode == "closed":
            raise self.fail(number, f"text after the result block of {where}: '{_short(text)}' "
                                    "(put it inside the [Result: …] brackets)")
        if text.startswith("["):
            if choice.result is not None:
                raise self.fail(number, f"a second result for {where} (the first is at line {choice.result.line})")
            inside, _ = self.block(text, number)
            label, sep, body = inside.partition(":")
            if not sep or label.strip().lower() not in ("result", "outcome"):
                raise self.fail(number, f"expected [Result: …] for {where}, found '[{_short(inside)}]'")
            if not body.strip():
                raise self.fail(number, f"the result of {where} is empty")
            choice.result = Text(clean(body), number)
            self.mode = "closed"
            return
        match = _LABEL.match(heading_form(text))
        body = match[2] if match and match[1].lower() == "result" else text
        if body.strip():
            choice.result = _add_text(choice.result, body, number)

    def close_round(self) -> None:
        rnd = self.round
        self.round, self.choice, self.mode = None, None, ""
        if rnd is None:
            return
        name = f"Round {rnd.number} ({rnd.title})"
        if rnd.pressure_cue is None:
            raise self.fail(rnd.line, f'{name} has no [Pressure cue: "…"]')
        if rnd.choices and rnd.actions:
            raise self.fail(rnd.actions_line, f"{name} has both choices and remediation actions; split it into two rounds")
        if not rnd.choices and not rnd.actions:
            raise self.fail(rnd.line, f"{name} has no choices ('- A) …') and no numbered 'Actions:'")
        if rnd.actions:
            return
        if rnd.what_you_see is None:
            raise self.fail(rnd.line, f"{name} has no 'What you see:' text")
        for choice in rnd.choices:
            if choice.result is None:
                at = choice.heading_line or choice.line
                raise self.fail(at, f"choice {choice.key} of Round {rnd.number} has no result "
                                    f"(expected 'If you chose {choice.key}:' and then [Result: …])")
        if len(rnd.choices) != 4:
            keys = ", ".join(c.key for c in rnd.choices)
            raise self.fail(rnd.line, f"{name} has {len(rnd.choices)} choice(s) ({keys}); a round needs four, A to D")

    # -- lists ---------------------------------------------------------------------------------
    def list_line(self, text: str, number: int) -> None:
        doc = self.document
        item = _BULLET.match(text) or _NUMBERED.match(text)
        value = clean(item[item.lastindex or 1]) if item else clean(text)
        if self.section == "setup":
            key, sep, rest = value.partition(":")
            field_name = SETUP_KEYS.get(key.strip().lower())
            if not sep or not rest.strip():
                raise self.fail(number, f"expected a setup item like '- Your role: On-call SRE', found '{_short(text)}'")
            if field_name is None:
                doc.setup_extra.append(Text(value, number))
            elif field_name in doc.setup:
                raise self.fail(number, f"a second '{key.strip()}' in Setup (the first is at line {doc.setup[field_name].line})")
            else:
                doc.setup[field_name] = Text(clean(rest), number)
        elif self.section == "damage":
            if item or not doc.damage:
                doc.damage.append(Text(value, number))
            else:
                _add_text(doc.damage[-1], value, number)
        elif self.section == "xrefs":
            doc.cross_references.append(Text(value, number))
        else:
            doc.notes.append(Text(clean(text), number))

    @property
    def document(self) -> Document:
        assert self.doc is not None
        return self.doc

    def finish(self) -> Document:
        self.close_round()
        doc = self.document
        last = max((n for n, line in enumerate(self.lines, 1) if line.strip()), default=1)
        if not doc.rounds:
            raise self.fail(last, "reached the end of the file without a 'Round 1: Title' heading; an incident replay needs rounds")
        if not doc.setup_line:
            raise self.fail(doc.title.line, "no 'Setup' section (System context, Time, Your role) after the title")
        for field_name, label in SETUP_LABELS.items():
            if field_name not in doc.setup:
                raise self.fail(doc.setup_line, f"Setup has no '{label}:' item")
        if not doc.damage_line:
            raise self.fail(last, "reached the end of the file without a 'Damage Report' section")
        if not doc.damage:
            raise self.fail(doc.damage_line, "the Damage Report has no items")
        return doc


def _unquote(text: str) -> str:
    for left, right in (('"', '"'), ("“", "”"), ("'", "'")):
        if len(text) > 1 and text.startswith(left) and text.endswith(right):
            return text[1:-1].strip()
    return text


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _is_heading(line: str) -> bool:
    form = heading_form(line)
    return bool(_ROUND.match(form) or _CHOSE.match(form) or form.lower().rstrip(":") in _SECTION)


def _add_text(target: Text | None, value: str, line: int) -> Text:
    if target is None:
        return Text(clean(value), line)
    target.value = clean(target.value + " " + value)
    return target


def parse(path: str | Path) -> Document:
    """Parse the Markdown file at ``path``; raises :class:`MarkdownError` at the first line it
    cannot place."""
    reader = _Reader(str(path), read_lines(path))
    while reader.index < len(reader.lines):
        raw = reader.lines[reader.index]
        if raw.strip():
            reader.line(raw.strip(), reader.index + 1)
        reader.index += 1
    return reader.finish()
