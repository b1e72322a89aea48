"""``drillbook new NAME`` against a temporary copy of the content folders (``--root``), so the
real course is never touched: the scaffold validates and plays, its notebook calls the package
like the first incident's does, and the course lists it."""

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
    for notebook in ("incident-replay.ipynb", "index.ipynb"):
        shutil.copy(REPO / "course" / notebook, root / "course" / notebook)
    return root


def drillbook(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "drillbook", *args], capture_output=True, text=True, cwd=REPO)


def _code_cells(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


def test_new_scaffolds_a_valid_scenario_a_thin_notebook_and_a_course_entry(content: Path) -> None:
    result = drillbook("new", "lacp-one-link", "--root", str(content), "--title", 'LACP bond on "one" link')
    assert result.returncode == 0, result.stderr
    scenario_path = content / "scenarios" / "lacp-one-link.yaml"
    notebook = content / "course" / "lacp-one-link.ipynb"
    assert result.stdout.splitlines()[:3] == [f"wrote {scenario_path}", f"wrote {notebook}",
                                              f"added lacp-one-link.ipynb to {content / 'course' / 'course.yaml'}"]
    # the YAML explains itself and validates as it stands
    text = scenario_path.read_text(encoding="utf-8")
    assert text.startswith('# Incident replay: LACP bond on "one" link\n') and "# recommended | partial" in text
    assert drillbook("validate", str(scenario_path)).returncode == 0
    scenario = load_scenario(scenario_path)
    assert (scenario.id, scenario.title) == ("lacp-one-link", 'LACP bond on "one" link')
    summary = summarize(scenario)
    assert play(scenario, summary.optimal_code).finished and play(scenario, summary.worst_code).finished
    # the notebook makes the same calls as the first incident's, with its own id and file
    reference = [cell.replace("incident-replay.ipynb", "lacp-one-link.ipynb").replace('"bond-failover"', '"lacp-one-link"')
                 for cell in _code_cells(REPO / "course" / "incident-replay.ipynb")]
    assert _code_cells(notebook) == reference
    # registered after the existing replay, with the course file's comments kept
    course_text = (content / "course" / "course.yaml").read_text(encoding="utf-8")
    assert course_text.startswith((REPO / "course" / "course.yaml").read_text(encoding="utf-8").split("notebooks:")[0])
    files = [e.file for e in load_course(content / "course" / "course.yaml").entries]
    assert files[files.index("incident-replay.ipynb") + 1] == "lacp-one-link.ipynb"


def test_the_scaffold_opens_in_the_replay_page(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRILLBOOK_DB", str(content / "db.sqlite3"))
    assert drillbook("new", "mtu-blackhole", "--root", str(content)).returncode == 0
    from drillbook.ui.pages import app
    from drillbook.ui.replay import ReplayApp

    page = app(str(content / "scenarios" / "mtu-blackhole.yaml"), query="")
    assert isinstance(page, ReplayApp)
    assert page.scenario.title == "Incident replay: mtu blackhole"


@pytest.mark.parametrize(("name", "expected"), [
    ("Bad Name", "drillbook: 'Bad Name' cannot name a scenario: use lowercase letters, digits, '-' and '_' "
                 "(at most 64, starting with a letter or digit), not course, end, index, stay"),
    ("stay", "drillbook: 'stay' cannot name a scenario"),
    ("../escape", "drillbook: '../escape' cannot name a scenario"),
    ("bond-failover", "drillbook: {root}/scenarios/bond-failover.yaml already exists; choose another name"),
    ("incident-replay", "drillbook: {root}/course/incident-replay.ipynb already exists; choose another name"),
])
def test_bad_and_taken_names_are_refused_in_one_line(content: Path, name: str, expected: str) -> None:
    before = sorted(p.relative_to(content) for p in content.rglob("*"))
    course_before = (content / "course" / "course.yaml").read_bytes()
    result = drillbook("new", name, "--root", str(content))
    assert result.returncode == 1
    assert result.stderr.startswith(expected.format(root=content)) and result.stderr.count("\n") == 1
    assert sorted(p.relative_to(content) for p in content.rglob("*")) == before
    assert (content / "course" / "course.yaml").read_bytes() == course_before


def test_a_name_the_course_already_lists_is_refused(content: Path) -> None:
    course_yaml = content / "course" / "course.yaml"
    course_yaml.write_text(course_yaml.read_text(encoding="utf-8") +
                           '  - {file: ghost.ipynb, title: "Ghost", part: "Replay"}\n', encoding="utf-8")
    result = drillbook("new", "ghost", "--root", str(content))
    assert (result.returncode, result.stderr) == (1, f"drillbook: {course_yaml} already lists ghost.ipynb\n")
    assert not (content / "scenarios" / "ghost.yaml").exists()


def test_a_folder_without_content_is_refused(tmp_path: Path) -> None:
    result = drillbook("new", "x", "--root", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == (f"drillbook: {tmp_path / 'course' / 'course.yaml'} not found; is {tmp_path} a drillbook "
                             "content folder (scenarios/ and course/)?\n")
