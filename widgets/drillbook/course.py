"""The course's table of contents (``course/course.yaml``) as a validated, ordered model.

The reading order lives in data so that adding a notebook never means editing Python: the
navigation bar, the welcome page's contents list and the tests all read this one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import _yaml
from ._schema import Section
from .content import course_dir
from .errors import ScenarioError, UnknownIdError


@dataclass(frozen=True)
class Entry:
    """One notebook in reading order."""

    file: str  #: file name inside ``course/``, e.g. ``primer-linux-ops.ipynb``
    title: str  #: what the navigation bar shows
    part: str  #: a short group label ("Primer", "Replay", ...)
    number: int  #: 1-based position in the course (0 for instructors' pages, which are not in it)
    audience: str = "learner"  #: "instructor": the answer key, linked from the instructor view only


@dataclass(frozen=True)
class Course:
    title: str
    subtitle: str
    entries: tuple[Entry, ...]  #: the learners' course, in reading order
    path: str
    instructor_entries: tuple[Entry, ...] = ()  #: pages outside the learners' navigation

    @property
    def pages(self) -> tuple[Entry, ...]:
        """Every notebook of the course, the instructors' pages last."""
        return self.entries + self.instructor_entries

    def entry(self, file: str) -> Entry:
        """The entry for ``file``; unknown names fail with the list of known ones."""
        for item in self.pages:
            if item.file == file:
                return item
        known = ", ".join(e.file for e in self.pages)
        raise UnknownIdError(f"'{file}' is not in the course table of contents (known: {known})")

    def previous(self, file: str) -> Entry | None:
        number = self.entry(file).number
        return self.entries[number - 2] if number > 1 else None

    def next(self, file: str) -> Entry | None:
        number = self.entry(file).number
        return self.entries[number] if 0 < number < len(self.entries) else None


def parse_course(data: object, path: str) -> Course:
    top = Section(path, "", data, 1)
    entries: list[Entry] = []
    instructor: list[Entry] = []
    for index, raw, line in top.items("notebooks", min_items=1, max_items=50):
        item = Section(path, f"notebook #{index + 1}", raw, line)
        file = item.text("file", max_len=100)
        if not file.endswith(".ipynb") or "/" in file or "\\" in file or file.startswith("."):
            item.fail("file", f"'{file}' must be a notebook file name inside course/, like index.ipynb")
        if any(e.file == file for e in entries + instructor):
            item.fail("file", f"'{file}' is listed twice")
        title, part = item.text("title", max_len=100), item.text("part", max_len=40)
        if item.choice("audience", ("learner", "instructor"), "learner") == "instructor":
            instructor.append(Entry(file, title, part, 0, "instructor"))
        else:
            entries.append(Entry(file, title, part, len(entries) + 1))
        item.done()
    course = Course(top.text("title", max_len=100), top.text("subtitle", max_len=100), tuple(entries), path,
                    tuple(instructor))
    top.done()
    return course


def load_course(path: str | Path) -> Course:
    data = _yaml.load_file(path)
    if data is None:
        raise ScenarioError.at(str(path), 1, "", "the file is empty; it needs title, subtitle and notebooks")
    return parse_course(data, str(path))


@lru_cache(maxsize=1)
def default_course() -> Course:
    """The course's table of contents, read once per process (notebooks call this on every page)."""
    return load_course(course_dir() / "course.yaml")


def page_title(notebook: str) -> str:
    """The browser tab's title for a course notebook, e.g. ``Welcome · drillbook: on-call drills``.

    Voila titles a page with the notebook's file name ("index") unless the notebook carries a
    title of its own; the titles live in ``course.yaml``, so the drillbook Voila template asks
    here (a Jinja filter registered by ``drillbook.serve``). ``notebook`` may omit ``.ipynb``;
    a notebook outside the table of contents keeps its name.
    """
    file = notebook if notebook.endswith(".ipynb") else f"{notebook}.ipynb"
    course = default_course()
    try:
        return f"{course.entry(file).title} · {course.title}"
    except UnknownIdError:
        return notebook
