"""Ship the course's content inside the wheel; everything else is in pyproject.toml.

The repository keeps ``scenarios/``, ``course/`` and ``voila.json`` at its top level (authors
edit them there, an editable install reads them there). A wheel has no repository around it,
so building one copies them into ``drillbook/_content/``, where ``drillbook.content`` finds
them. Editable installs skip the copy: a stale second copy would shadow the author's edits.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: what the course needs at run time, relative to the repository root
CONTENT = ("scenarios", "course", "voila.json")
#: never shipped: editor and Jupyter leftovers, caches, local databases
SKIP = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc", "*.sqlite3", ".*")


class BuildWithContent(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "drillbook" / "_content"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name in CONTENT:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=SKIP)
            else:
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithContent})
