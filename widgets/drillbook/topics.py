"""What study notes annotate: a replay's rounds, or the ``##`` sections of a course page.

The notes panel, its export and the group postmortem all ask here which anchors a page has and
what each is called, so a note is filed and exported under the same title everywhere. Pure: no
widgets, only the notebook files and the scenario model.
"""

from __future__ import annotations

from dataclasses import dataclass

from .content import course_dir
from .course import default_course
from .model import Scenario
from .sections import PAGE_SUFFIX, notebook_sections


@dataclass(frozen=True)
class NotesTopic:
    """What a notes panel annotates: one page and its anchors, in page order."""

    page: str  #: the store's key for the page: a scenario id, or a notebook file name
    title: str  #: the page's title, heading the export
    headings: dict[str, str]  #: anchor id -> heading of that anchor's part of the export
    captions: dict[str, str]  #: anchor id -> the panel's heading, "Notes on ..."
    file_stem: str  #: the export's file name without extension

    @classmethod
    def of_scenario(cls, scenario: Scenario) -> NotesTopic:
        """A replay's rounds."""
        return cls(scenario.id, scenario.title, scenario.round_headings(),
                   {r.id: f"Notes on round {r.number}: {r.title}" for r in scenario.rounds}, scenario.id)

    def caption(self, anchor: str) -> str:
        return self.captions.get(anchor, f"Notes on a removed part ({anchor})")


def page_topic(page: str) -> NotesTopic:
    """The notes topic of a course notebook: its sections, from the notebook file itself."""
    if not page.endswith(PAGE_SUFFIX):
        page += PAGE_SUFFIX
    sections = notebook_sections(course_dir() / page)
    title = default_course().entry(page).title
    return NotesTopic(page, title, {s.id: s.title for s in sections},
                      {s.id: f"Notes on “{s.title}”" for s in sections}, page.removesuffix(PAGE_SUFFIX))



def annotated_pages() -> list[NotesTopic]:
    """Every course page with annotated sections, in course order."""
    topics = []
    for entry in default_course().entries:
        path = course_dir() / entry.file
        if path.exists() and notebook_sections(path):
            topics.append(page_topic(entry.file))
    return topics
