"""The sections of a course notebook that a study group can annotate, read from the notebook file.

A note must survive a reworded heading, so it is anchored to a section id kept in the heading
cell's metadata (``{"drillbook": {"section": "modes"}}``), never to the heading's words. The
notebook file itself is the one source of ids and titles: the notes panel, the export and the
tests all read it here, with no copy of the headings in Python or YAML.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import UnknownIdError

#: What a section id may look like: short, lowercase, stable enough to be typed in a notebook.
SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
#: The page id under which a notebook's notes are stored (a scenario id never ends in ``.ipynb``).
PAGE_SUFFIX = ".ipynb"


@dataclass(frozen=True)
class Section:
    """One ``##`` section of a notebook."""

    id: str  #: stable anchor, from the heading cell's metadata
    title: str  #: the heading's current words, without the ``##``


def _heading(source: str) -> str | None:
    for line in source.splitlines():
        if line.startswith("## "):
            return line[3:].strip()
    return None


def sections_of(notebook: dict[str, object], name: str = "notebook") -> tuple[Section, ...]:
    """The annotated ``##`` sections of a parsed notebook, in page order.

    A heading without an id takes no notes (the welcome page has none); the course's tests
    require one on every heading of an annotated page, but a page a writer is still editing keeps
    working. An invalid id or an id used twice raises ``UnknownIdError``: either would attach a
    group's notes to the wrong place.
    """
    found: list[Section] = []
    cells = notebook.get("cells", [])
    for number, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        title = _heading("".join(source) if isinstance(source, list) else str(source))
        meta = cell.get("metadata", {}).get("drillbook", {})
        section_id = meta.get("section") if isinstance(meta, dict) else None
        if title is None or section_id is None:
            continue
        if not isinstance(section_id, str) or not SECTION_ID.match(section_id):
            raise UnknownIdError(f"{name}: cell {number}: the heading '{title}' has no valid "
                                 "metadata.drillbook.section id (lowercase letters, digits, dashes)")
        if any(s.id == section_id for s in found):
            raise UnknownIdError(f"{name}: cell {number}: section id '{section_id}' is used twice")
        found.append(Section(section_id, title))
    return tuple(found)


@lru_cache(maxsize=32)
def _read(path: Path, mtime_ns: int) -> tuple[Section, ...]:
    with path.open(encoding="utf-8") as handle:
        return sections_of(json.load(handle), path.name)


def notebook_sections(path: Path) -> tuple[Section, ...]:
    """The sections of the notebook at ``path``, re-read only when the file changes."""
    return _read(path, path.stat().st_mtime_ns)


def section(sections: tuple[Section, ...], section_id: str, page: str) -> Section:
    """The section ``section_id``; an unknown id fails with the list of known ones."""
    for item in sections:
        if item.id == section_id:
            return item
    known = ", ".join(s.id for s in sections) or "none"
    raise UnknownIdError(f"'{section_id}' is not a section of {page} (known: {known})")
