"""``drillbook new NAME``: a commented scenario that already validates, its replay notebook, and
its entry in the course's table of contents.

Both files come from templates beside this module (``templates/``), filled with
:class:`string.Template`; ``course/course.yaml`` is edited as text so its comments survive, and
checked with the course's own loader before anything is written. Nothing is overwritten: a
name already taken by a scenario, a notebook or a course entry is refused in one line.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from pathlib import Path

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


def _title_for(name: str, title: str | None) -> str:
    text = " ".join((title or "").split()) or "Incident replay: " + name.replace("-", " ").replace("_", " ")
    if len(text) > 120 or any(ord(ch) < 32 for ch in text):
        raise DrillbookError("the title must be one line of at most 120 characters")
    return text


def _course_text(course_yaml: Path, name: str, title: str) -> str:
    """course.yaml with the new notebook after the last replay (or at the end), checked."""
    text = course_yaml.read_text(encoding="utf-8")
    course = parse_course(_yaml.load_text(text, str(course_yaml)), str(course_yaml))
    file = f"{name}.ipynb"
    if any(entry.file == file for entry in course.entries):
        raise DrillbookError(f"{course_yaml} already lists {file}")
    entry = f"  - {{file: {file}, title: {quote(title)}, part: \"Replay\"}}"
    lines = text.split("\n")
    items = [i for i, line in enumerate(lines) if line.lstrip().startswith("- {file:")]
    replays = [i for i in items if 'part: "Replay"' in lines[i]]
    at = (replays or items)[-1] + 1 if items else len(lines)
    lines.insert(at, entry)
    new_text = "\n".join(lines)
    new_course = parse_course(_yaml.load_text(new_text, str(course_yaml)), str(course_yaml))
    if not any(e.file == file for e in new_course.entries):
        raise DrillbookError(f"{course_yaml}: could not add {file} to its notebooks list; add it by hand")
    return new_text


def scaffold(name: str, root: Path, title: str | None = None) -> Scaffold:
    """Write ``scenarios/NAME.yaml`` and ``course/NAME.ipynb`` under ``root`` and register the
    notebook in ``course/course.yaml``; everything is checked before the first file is written."""
    if not _ID.match(name) or name in RESERVED:
        raise DrillbookError(f"'{name}' cannot name a scenario: use lowercase letters, digits, '-' and '_' "
                             f"(at most 64, starting with a letter or digit), not {', '.join(sorted(RESERVED))}")
    full_title = _title_for(name, title)
    result = Scaffold(root / "scenarios" / f"{name}.yaml", root / "course" / f"{name}.ipynb", root / "course" / "course.yaml")
    for path in (result.scenario, result.notebook):
        if path.exists():
            raise DrillbookError(f"{path} already exists; choose another name")
    if not result.course.is_file():
        raise DrillbookError(f"{result.course} not found; is {root} a drillbook content folder (scenarios/ and course/)?")
    values = {"id": name, "title": full_title, "title_yaml": quote(full_title)}
    scenario_text = string.Template((TEMPLATES / "scenario.yaml").read_text(encoding="utf-8")).substitute(values)
    load_text(scenario_text, str(result.scenario))  # the scaffold must validate; a failure here is a bug
    json_values = {key: json.dumps(value)[1:-1] for key, value in values.items()}
    notebook_text = string.Template((TEMPLATES / "incident.ipynb").read_text(encoding="utf-8")).substitute(json_values)
    json.loads(notebook_text)
    course_text = _course_text(result.course, name, full_title)
    try:
        result.scenario.parent.mkdir(parents=True, exist_ok=True)
        result.scenario.write_text(scenario_text, encoding="utf-8")
        result.notebook.write_text(notebook_text, encoding="utf-8")
        result.course.write_text(course_text, encoding="utf-8")
    except OSError as exc:
        raise DrillbookError(f"cannot write the new files ({exc.strerror or exc})") from None
    return result
