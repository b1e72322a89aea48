"""Where the course's content lives: ``scenarios/``, ``course/`` (with its quizzes) and
``voila.json``.

The one module that knows. In a checkout (editable install) the content is the repository's
own folders next to ``widgets/``, so an edited scenario is live at once. A wheel carries a copy
of the same folders inside the package (``drillbook/_content/``, copied there at build time by
``setup.py``), because an installed package has no repository around it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ._fs import is_file
from ._text import printable
from .errors import DrillbookError, UnknownIdError

_PACKAGE = Path(__file__).resolve().parent
#: The folder a wheel ships the content in (absent in a checkout).
PACKAGED = _PACKAGE / "_content"


def _is_checkout(root: Path) -> bool:
    return (root / "pyproject.toml").is_file() and (root / "scenarios").is_dir() and (root / "course").is_dir()


@lru_cache(maxsize=1)
def content_root() -> Path:
    """The folder holding ``scenarios/``, ``course/`` and ``voila.json``: the repository in a
    checkout, else the copy shipped inside the installed package."""
    checkout = _PACKAGE.parents[1]
    if _is_checkout(checkout):
        return checkout
    if PACKAGED.is_dir():
        return PACKAGED
    raise DrillbookError(
        f"drillbook's content (scenarios/ and course/) is neither next to the package at {checkout} "
        f"nor shipped inside it at {PACKAGED}; reinstall drillbook"
    )


def scenario_dir() -> Path:
    """The incidents, one YAML file each."""
    return content_root() / "scenarios"


def course_dir() -> Path:
    """The notebooks Voila serves, with ``course.yaml`` and the images."""
    return content_root() / "course"


def quiz_dir() -> Path:
    """The quizzes, ``course/quizzes/<id>.yaml``."""
    return course_dir() / "quizzes"


def config_dir() -> Path:
    """The folder holding ``voila.json`` (Voila only reads config from folders it is told about)."""
    return content_root()


def find_scenario(name: str) -> Path:
    """Resolve a scenario id (``bond-failover``) or a path to a ``.yaml`` file."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and is_file(candidate):
        return candidate
    path = scenario_dir() / f"{name}.yaml"
    if is_file(path):
        return path
    known = ", ".join(sorted(p.stem for p in scenario_dir().glob("*.yaml"))) or "none"
    raise UnknownIdError(f"no scenario '{printable(name, 80)}' (known: {known})")
