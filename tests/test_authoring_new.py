"""``drillbook new NAME`` against a temporary copy of the content folders (``--root``), so the
real course is never touched: the scaffold validates and plays, its notebook calls the package
like the first incident's does, the course lists it after the last replay and the branch atlas
gets its section."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drillbook.course import load_course
from drillbook.engine import play
from drillbook.replay_codes import summarize
from drillbook.scenario import load_scenario

from .conftest import REPO


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    shutil.copytree(REPO / "course", root / "course", ignore=shutil.ignore_patterns("*.ipynb", "img"))
    for notebook in ("incident-replay.ipynb", "index.ipynb", "branch-atlas.ipynb"):
        shutil.copy(REPO / "course" / notebook, root / "course" / notebook)
    return root


def drillbook(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "drillbook", *args], capture_output=True, text=True, cwd=REPO)


def _code_cells(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


def test_new_scaffolds_a_valid_scenario_a_thin_notebook_a_course_entry_and_an_atlas_section(content: Path) -> None:
    result = drillbook("new", "disk-full", "--root", str(content), "--title", 'Disk "full" at 3 a.m.')
    assert result.returncode == 0, result.stderr
    scenario_path = content / "scenarios" / "disk-full.yaml"
    notebook = content / "course" / "incident-disk-full.ipynb"
    atlas = content / "course" / "branch-atlas.ipynb"
    assert result.stdout.splitlines()[:4] == [f"wrote {scenario_path}", f"wrote {notebook}",
                                              f"added incident-disk-full.ipynb to {content / 'course' / 'course.yaml'}",
                                              f"added a section for disk-full to {atlas}"]
    # the YAML explains itself and validates as it stands
    text = scenario_path.read_text(encoding="utf-8")
    assert text.startswith('# Incident replay: Disk "full" at 3 a.m.\n') and "# recommended | partial" in text
    assert drillbook("validate", str(scenario_path)).returncode == 0
    scenario = load_scenario(scenario_path)
    assert (scenario.id, scenario.title) == ("disk-full", 'Disk "full" at 3 a.m.')
    summary = summarize(scenario)
    assert play(scenario, summary.optimal_code).finished and play(scenario, summary.worst_code).finished
    # the notebook makes the same calls as the first incident's, with its own id and file
    reference = [cell.replace("incident-replay.ipynb", "incident-disk-full.ipynb").replace('"bond-failover"', '"disk-full"')
                 for cell in _code_cells(REPO / "course" / "incident-replay.ipynb")]
    assert _code_cells(notebook) == reference
    # registered after the last replay, in its part, with the course file's comments kept
    course_text = (content / "course" / "course.yaml").read_text(encoding="utf-8")
    assert course_text.startswith((REPO / "course" / "course.yaml").read_text(encoding="utf-8").split("notebooks:")[0])
    entries = load_course(content / "course" / "course.yaml").entries
    replays = [e for e in load_course(REPO / "course" / "course.yaml").entries if "replay" in e.part.lower()]
    files = [e.file for e in entries]
    new = entries[files.index("incident-disk-full.ipynb")]
    assert files[files.index(replays[-1].file) + 1] == new.file and new.part == replays[-1].part
    # the atlas plays it, in a new section just before the footer; the rest is byte for byte as it was
    cells = json.loads(atlas.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells]
    assert sources[-3:] == [f"## Incident {sum(s.startswith('## Incident') for s in sources)}: Disk \"full\" at 3 a.m.",
                            'from drillbook.ui.pages import atlas\n\natlas("disk-full")', 'footer("branch-atlas.ipynb")']
    before = json.loads((REPO / "course" / "branch-atlas.ipynb").read_text(encoding="utf-8"))["cells"]
    assert [c for c in cells if "disk-full" not in "".join(c["source"]) and "Disk" not in "".join(c["source"])] == before


def test_the_scaffold_opens_in_the_replay_page(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRILLBOOK_DB", str(content / "db.sqlite3"))
    assert drillbook("new", "dns-outage", "--root", str(content)).returncode == 0
    from drillbook.ui.pages import app
    from drillbook.ui.replay import ReplayApp

    page = app(str(content / "scenarios" / "dns-outage.yaml"), query="")
    assert isinstance(page, ReplayApp)
    assert page.scenario.title == "Incident replay: dns outage"


@pytest.mark.parametrize(("name", "expected"), [
    ("Bad Name", "drillbook: 'Bad Name' cannot name a scenario: use lowercase letters, digits, '-' and '_' "
                 "(at most 64, starting with a letter or digit), not course, end, index, stay"),
    ("stay", "drillbook: 'stay' cannot name a scenario"),
    ("../escape", "drillbook: '../escape' cannot name a scenario"),
    ("bond-failover", "drillbook: {root}/scenarios/bond-failover.yaml already exists; choose another name"),
    ("lacp-one-link", "drillbook: {root}/scenarios/lacp-one-link.yaml already exists; choose another name"),
])
def test_bad_and_taken_names_are_refused_in_one_line(content: Path, name: str, expected: str) -> None:
    before = sorted(p.relative_to(content) for p in content.rglob("*"))
    course_before = (content / "course" / "course.yaml").read_bytes()
    result = drillbook("new", name, "--root", str(content))
    assert result.returncode == 1
    assert result.stderr.startswith(expected.format(root=content)) and result.stderr.count("\n") == 1
    assert sorted(p.relative_to(content) for p in content.rglob("*")) == before
    assert (content / "course" / "course.yaml").read_bytes() == course_before


def test_a_name_the_course_or_the_atlas_already_has_is_refused(content: Path) -> None:
    course_yaml = content / "course" / "course.yaml"
    course_yaml.write_text(course_yaml.read_text(encoding="utf-8") +
                           '  - {file: incident-ghost.ipynb, title: "Ghost", part: "Replay"}\n', encoding="utf-8")
    result = drillbook("new", "ghost", "--root", str(content))
    assert (result.returncode, result.stderr) == (1, f"drillbook: {course_yaml} already lists incident-ghost.ipynb\n")
    atlas = content / "course" / "branch-atlas.ipynb"
    atlas.write_text(atlas.read_text(encoding="utf-8").replace('atlas(\\"mtu-blackhole\\")', 'atlas(\\"spooky\\")'),
                     encoding="utf-8")
    spooky = drillbook("new", "spooky", "--root", str(content))
    assert (spooky.returncode, spooky.stderr) == (1, f"drillbook: {atlas} already has a section for spooky\n")
    assert not (content / "scenarios" / "ghost.yaml").exists() and not (content / "scenarios" / "spooky.yaml").exists()


def test_a_folder_without_content_is_refused(tmp_path: Path) -> None:
    result = drillbook("new", "x", "--root", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == (f"drillbook: {tmp_path / 'course' / 'course.yaml'} not found; is {tmp_path} a drillbook "
                             "content folder (scenarios/ and course/)?\n")
