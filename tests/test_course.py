"""The course table of contents, the navigation header and the notebooks it points at."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from drillbook.content import course_dir
from drillbook.course import default_course, load_course
from drillbook.errors import DrillbookError, ScenarioError, UnknownIdError
from drillbook.scenario import load_scenario
from drillbook.ui.debrief import checklist_html, facts_html
from drillbook.ui.nav import contents_html, footer, header_html, notebook_href

from .conftest import SEED_SCENARIO

MINE = ("index.ipynb", "primer-datacenter-hardware.ipynb", "primer-linux-ops.ipynb",
        "primer-lacp-bonding.ipynb", "footguns-networking.ipynb", "debrief.ipynb")
PRIMERS = {"primer-datacenter-hardware.ipynb": "datacenter-hardware", "primer-linux-ops.ipynb": "linux-ops",
           "primer-lacp-bonding.ipynb": "lacp-bonding", "footguns-networking.ipynb": "footguns-networking"}


def test_course_order_puts_replay_between_primers_and_debrief() -> None:
    files = [e.file for e in default_course().entries]
    assert files[0] == "index.ipynb"
    assert files.index("footguns-networking.ipynb") < files.index("incident-replay.ipynb") < files.index("debrief.ipynb")
    assert [e.number for e in default_course().entries] == list(range(1, len(files) + 1))


def test_every_scenario_cross_reference_is_in_the_course() -> None:
    course = default_course()
    for ref in load_scenario(SEED_SCENARIO).cross_references:
        course.entry(ref.notebook)  # raises if missing
        assert (course_dir() / ref.notebook).is_file()


def test_bad_course_file_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "course.yaml"
    path.write_text('title: "t"\nsubtitle: "s"\nnotebooks:\n  - {file: a.ipynb, title: A, part: P}\n'
                    '  - {file: ../b.ipynb, title: B, part: P}\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_course(path)
    assert (caught.value.line, caught.value.where) == (5, "notebook #2 field 'file'")
    path.write_text('title: "t"\nsubtitle: "s"\nnotebooks:\n  - {file: a.ipynb, title: A, part: P}\n'
                    '  - {file: a.ipynb, title: B, part: P}\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r":5: notebook #2 field 'file': 'a.ipynb' is listed twice"):
        load_course(path)


def test_header_shows_position_and_neighbours() -> None:
    course = default_course()
    entry = course.entry("primer-lacp-bonding.ipynb")
    html = header_html("primer-lacp-bonding.ipynb")
    assert f"{entry.number} of {len(course.entries)}" in html
    assert 'rel="prev" href="primer-linux-ops.ipynb"' in html
    assert 'rel="next" href="footguns-networking.ipynb"' in html
    assert 'class="db-root db-nav"' in html and "<style>" in html


def test_first_and_last_pages_have_one_neighbour() -> None:
    course = default_course()
    first = header_html(course.entries[0].file)
    last = header_html(course.entries[-1].file)
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and 'rel="prev"' in last
    assert "end of the course" in footer(course.entries[-1].file).data


def test_unknown_notebook_in_header_is_a_clear_error() -> None:
    with pytest.raises(UnknownIdError, match="not in the course table of contents"):
        header_html("nope.ipynb")


def test_notebook_href_is_relative_and_refuses_escapes() -> None:
    assert notebook_href("primer-linux-ops.ipynb") == "primer-linux-ops.ipynb"
    assert notebook_href("my notes.ipynb") == "my%20notes.ipynb"
    for bad in ("../secret.ipynb", "/etc/passwd.ipynb", "https://evil.example/x.ipynb", "notes.py", ".hidden.ipynb"):
        with pytest.raises(DrillbookError):
            notebook_href(bad)


def test_contents_lists_every_notebook_in_order() -> None:
    html = contents_html()
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs == [e.file for e in default_course().entries]


def test_every_course_link_targets_the_same_tab() -> None:
    course = default_course()
    pages = [header_html(e.file) + footer(e.file).data for e in course.entries] + [contents_html()]
    anchors = [a for html in pages for a in re.findall(r"<a\b[^>]*>", html)]
    assert len(anchors) >= 3 * len(course.entries)
    assert all('target="_self"' in a for a in anchors), [a for a in anchors if 'target="_self"' not in a]


def test_debrief_lists_come_from_the_scenario() -> None:
    scenario = load_scenario(SEED_SCENARIO)
    items = re.findall(r"<li>(.*?)</li>", checklist_html(scenario))
    actions = [a for r in scenario.rounds for a in r.actions]
    assert len(items) == len(actions) == 5
    assert "<code>cat /proc/net/bonding/bond0</code>" in items[0]
    assert len(re.findall(r"<li>", facts_html(scenario))) == len(scenario.damage.facts)


def _notebook(name: str) -> dict:
    return json.loads((course_dir() / name).read_text(encoding="utf-8"))


def _sources(nb: dict, kind: str) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == kind]


@pytest.mark.parametrize("name", MINE)
def test_notebook_starts_with_its_header_and_is_saved_with_clean_outputs(name: str) -> None:
    nb = _notebook(name)
    code = _sources(nb, "code")
    assert code[0] == f'from drillbook.ui.nav import header\nheader("{name}")'
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        assert cell["execution_count"] is not None, f"{name}: not executed and saved"
        for output in cell["outputs"]:
            assert output["output_type"] in ("display_data", "execute_result"), f"{name}: {output['output_type']} output"


@pytest.mark.parametrize("name,quiz_id", sorted(PRIMERS.items()))
def test_primer_has_diagram_console_and_quiz(name: str, quiz_id: str) -> None:
    nb = _notebook(name)
    markdown = "\n".join(_sources(nb, "markdown"))
    images = re.findall(r"!\[[^\]]+\]\((img/[^)]+\.svg)\)", markdown)
    assert images, f"{name} has no diagram"
    for image in images:
        assert (course_dir() / image).is_file()
    code = "\n".join(_sources(nb, "code"))
    assert 'practice_console(scenario_id="bond-failover"' in code
    assert f'quiz("{quiz_id}")' in code
    assert "Exercise" in markdown


def test_diagrams_are_accessible_svg() -> None:
    for svg in (course_dir() / "img").glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert "<title" in text and "<desc" in text and "<script" not in text, svg.name
