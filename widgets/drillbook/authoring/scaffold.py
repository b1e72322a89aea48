"""``drillbook new NAME``: a commented scenario that already validates, its replay notebook
(``course/incident-NAME.ipynb``), its entry in the course's table of contents after the last
replay, and its section in the branch atlas.

Both files come from templates beside this module (``templates/``), filled with
:class:`string.Template`; ``course/course.yaml`` is edited as text so its comments survive, and
checked with the course's own loader before anything is written; the atlas is edited with
nbformat. Nothing is overwritten: a name already taken by a scenario, a notebook, a course entry
or an atlas section is refused in one line.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._schema import _ID
from ..course import parse_course
from .. import _yaml
from ..errors import DrillbookError
from ..model import END, STAY
from ..scenario import load_text
from .emit import quote

TEMPLATES = Path(__file__).with_name("templates")
RESERVED = {STAY, END, "index", "course"}


@dataclass(frozen=True)
class Scaffold:
    scenario: Path
    notebook: Path
    course: Path
    atlas: Path  #: the branch atlas notebook; given a section for the new incident if it exists


def _title_for(name: str, title: str | None) -> str:
    text = " ".join((title or "").split()) or "Incident replay: " + name.replace("-", " ").replace("_", " ")
    if len(text) > 120 or any(ord(ch) < 32 for ch in text):
        raise DrillbookError("the title must be one line of at most 120 characters")
    return text


def _course_text(course_yaml: Path, file: str, title: str) -> str:
    """course.yaml with the new notebook after the last replay (or at the end), checked."""
    text = course_yaml.read_text(encoding="utf-8")
    course = parse_course(_yaml.load_text(text, str(course_yaml)), str(course_yaml))
    if any(entry.file == file for entry in course.entries):
        raise DrillbookError(f"{course_yaml} already lists {file}")
    replays = [e for e in course.entries if "replay" in e.part.lower()]
    part = replays[-1].part if replays else "Replay"
    entry = f"  - {{file: {file}, title: {quote(title)}, part: {quote(part)}}}"
    lines = text.split("\n")
    items = [i for i, line in enumerate(lines) if line.lstrip().startswith("- {file:")]
    after = [i for i in items if replays and f"file: {replays[-1].file}," in lines[i]]
    at = (after or items)[-1] + 1 if items else len(lines)
    lines.insert(at, entry)
    new_text = "\n".join(lines)
    new_course = parse_course(_yaml.load_text(new_text, str(course_yaml)), str(course_yaml))
    if not any(e.file == file for e in new_course.entries):
        raise DrillbookError(f"{course_yaml}: could not add {file} to its notebooks list; add it by hand")
    return new_text


def _atlas_with(atlas_path: Path, name: str, title: str) -> str:
    """The branch atlas (as nbformat writes it) with a heading and an ``atlas("NAME")`` cell
    before its footer."""
    atlas = json.loads(atlas_path.read_text(encoding="utf-8"))
    cells: list[dict[str, Any]] = atlas["cells"]
    sources = ["".join(cell.get("source", "")) for cell in cells]
    if any(f'atlas("{name}")' in source for source in sources):
        raise DrillbookError(f"{atlas_path} already has a section for {name}")
    number = sum(bool(re.search(r'(?m)^atlas\("', source)) for source in sources) + 1
    at = next((i for i, source in enumerate(sources) if "footer(" in source), len(cells))
    ids = {cell.get("id") for cell in cells}
    heading = {"cell_type": "markdown", "id": _free_id(f"atlas-h-{name}", ids), "metadata": {},
               "source": [f"## Incident {number}: {title}"]}
    play: dict[str, Any] = {"cell_type": "code", "execution_count": None, "id": _free_id(f"atlas-{name}", ids), "metadata": {},
            "outputs": [], "source": ["from drillbook.ui.pages import atlas\n", "\n", f'atlas("{name}")']}
    cells[at:at] = [heading, play]
    return json.dumps(atlas, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _free_id(base: str, taken: set[Any]) -> str:
    candidate, n = base[:60], 2
    while candidate in taken:
        candidate, n = f"{base[:56]}-{n}", n + 1
    return candidate


def scaffold(name: str, root: Path, title: str | None = None) -> Scaffold:
    """Write ``scenarios/NAME.yaml`` and ``course/NAME.ipynb`` under ``root`` and register the
    notebook in ``course/course.yaml``; everything is checked before the first file is written."""
    if not _ID.match(name) or name in RESERVED:
        raise DrillbookError(f"'{name}' cannot name a scenario: use lowercase letters, digits, '-' and '_' "
                             f"(at most 64, starting with a letter or digit), not {', '.join(sorted(RESERVED))}")
    full_title = _title_for(name, title)
    course = root / "course"
    result = Scaffold(root / "scenarios" / f"{name}.yaml", course / f"incident-{name}.ipynb", course / "course.yaml",
                      course / "branch-atlas.ipynb")
    for path in (result.scenario, result.notebook):
        if path.exists():
            raise DrillbookError(f"{path} already exists; choose another name")
    if not result.course.is_file():
        raise DrillbookError(f"{result.course} not found; is {root} a drillbook content folder (scenarios/ and course/)?")
    values = {"id": name, "title": full_title, "title_yaml": quote(full_title), "notebook": result.notebook.name}
    scenario_text = string.Template((TEMPLATES / "scenario.yaml").read_text(encoding="utf-8")).substitute(values)
    load_text(scenario_text, str(result.scenario))  # the scaffold must validate; a failure here is a bug
    json_values = {key: json.dumps(value)[1:-1] for key, value in values.items()}
    notebook_text = string.Template((TEMPLATES / "incident.ipynb").read_text(encoding="utf-8")).substitute(json_values)
    json.loads(notebook_text)
    course_text = _course_text(result.course, result.notebook.name, full_title)
    atlas = _atlas_with(result.atlas, name, full_title) if result.atlas.is_file() else None
    try:
        result.scenario.parent.mkdir(parents=True, exist_ok=True)
        result.scenario.write_text(scenario_text, encoding="utf-8")
        result.notebook.write_text(notebook_text, encoding="utf-8")
        result.course.write_text(course_text, encoding="utf-8")
        if atlas is not None:
            result.atlas.write_text(atlas, encoding="utf-8")
    except OSError as exc:
        raise DrillbookError(f"cannot write the new files ({exc.strerror or exc})") from None
    return result
