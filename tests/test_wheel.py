"""The course installs as a package: build a wheel from a copy of the repository, install it
(not editable) into a fresh virtual environment, and use it from outside any checkout.

Only drillbook itself is installed into the fresh environment (``--no-deps``): its
dependencies (Voila, JupyterLab, ipywidgets, PyYAML) resolve from this test run's own
environment through a ``.pth`` line, and Voila's templates through ``JUPYTER_PATH``, which is
what installing them would provide. A ``.pth`` line adds a folder to ``sys.path`` without
processing the ``.pth`` files inside it, so this environment's editable install of the
checkout stays invisible there: the test asserts the drillbook that runs is the wheel's.
"""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .browser._server import VoilaServer, cmdline, free_port
from .conftest import REPO

#: never copied into the build: version control, environments, build and test leftovers
_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "test-artifacts", "*.egg-info",
                                     ".mypy_cache", ".pytest_cache", "__pycache__", ".ipynb_checkpoints")


def _run(argv: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(argv)}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its ``bin/`` folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=_NOT_SOURCE)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp / "dist"), str(source)], tmp)
    wheel, = (tmp / "dist").glob("drillbook-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)], tmp)
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp).stdout.strip()
    (Path(purelib) / "_drillbook_test_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    shutil.rmtree(source)  # nothing may read the copy the wheel was built from
    return venv / "bin"


def test_the_wheel_is_what_runs_and_carries_the_content(installed: Path) -> None:
    code = ("import drillbook, drillbook.content as c;"
            "print(drillbook.__file__); print(c.scenario_dir()); print(c.course_dir()); print(c.config_dir())")
    out = _run([str(installed / "python"), "-c", code], cwd=installed).stdout.split("\n")
    venv = installed.parent
    package, scenarios, course, config = (Path(line) for line in out[:4])
    assert package.is_relative_to(venv) and not package.is_relative_to(REPO)
    assert scenarios == package.parent / "_content" / "scenarios" and (scenarios / "bond-failover.yaml").is_file()
    assert (course / "index.ipynb").is_file() and (course / "quizzes" / "linux-ops.yaml").is_file()
    assert (course / "img" / "bonding-modes.svg").is_file() and (config / "voila.json").is_file()
    assert not list(course.rglob(".ipynb_checkpoints"))


def test_validate_finds_the_shipped_scenarios(installed: Path, tmp_path: Path) -> None:
    out = _run([str(installed / "drillbook"), "validate"], cwd=tmp_path).stdout
    assert "_content/scenarios/bond-failover.yaml: ok (Network Bonding Failover Not Working, 4 rounds)" in out
    assert str(REPO) not in out


def test_the_authoring_commands_find_their_data_in_the_wheel(installed: Path, tmp_path: Path) -> None:
    """The importer's command list and cue words and the scaffold's templates ship as package data."""
    seed = tmp_path / "seed.md"
    shutil.copy(REPO / "tests" / "files" / "seed-bond-failover.txt", seed)
    out = tmp_path / "imported.yaml"
    _run([str(installed / "drillbook"), "import-markdown", str(seed), "-o", str(out)], cwd=tmp_path)
    assert "`cat /proc/net/bonding/bond0` shows" in out.read_text(encoding="utf-8")
    content = tmp_path / "content"
    shutil.copytree(REPO / "scenarios", content / "scenarios")
    (content / "course").mkdir()
    shutil.copy(REPO / "course" / "course.yaml", content / "course" / "course.yaml")
    _run([str(installed / "drillbook"), "new", "disk-full", "--root", str(content)], cwd=tmp_path)
    assert (content / "course" / "incident-disk-full.ipynb").is_file()
    _run([str(installed / "drillbook"), "validate", str(content / "scenarios" / "disk-full.yaml")], cwd=tmp_path)


def test_serve_serves_the_shipped_course(installed: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {"JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"), "DRILLBOOK_DB": str(tmp_path / "db.sqlite3")}
    server = VoilaServer.start("wheel", [str(installed / "drillbook"), "serve", "--port", str(port)], tmp_path,
                               "drillbook serve from a wheel installed in a fresh venv", port, env=env)
    try:
        with urllib.request.urlopen(server.url("/"), timeout=120) as resp:
            page = resp.read().decode("utf-8", errors="replace")
            final_url = resp.url
        assert final_url.endswith("/voila/render/index.ipynb")
        assert "Welcome to drillbook" in page and "db-toc" in page
        kernels = server.kernel_pids()  # the page's kernel runs the fresh environment's Python
        assert kernels and all(cmdline(pid).startswith(str(installed / "python")) for pid in kernels)
    finally:
        server.stop()
    assert server.leftovers() == []


def test_a_checkout_reads_its_own_folders() -> None:
    """In the editable install the tests run on, content is the repository's, never a copy."""
    from drillbook import content

    assert content.content_root() == REPO
    assert content.scenario_dir() == REPO / "scenarios" and content.course_dir() == REPO / "course"
    assert content.quiz_dir() == REPO / "course" / "quizzes" and content.config_dir() == REPO
    assert not content.PACKAGED.exists()
