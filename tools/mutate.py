"""``./run mutate``: mutation testing of the core (engine, report, scenario model and parsing,
store, the host's state model) with mutmut, outside the test command.

mutmut 3 copies the package into ``mutants/`` and runs each mutant in a forked, already warmed-up
pytest session, running only the tests that reach the mutated function. It names modules after
their path with a leading ``src/`` removed, and ours live in ``widgets/``; so it runs in a staging
folder, ``.mutate/``, whose ``src`` links to ``widgets`` (the other entries link to the real
tests and content; nothing is ever mutated in place). The editable install also puts the real
``widgets/`` on ``sys.path``; it is taken off so that only the mutated copy can be imported.
Only fast, in-process tests are selected (``[tool.mutmut]`` in pyproject.toml): the CLI tests
start a fresh interpreter, which would import the unmutated package, and browser tests are far
too slow to run per mutant.

    ./run mutate                          # run (resumes where an earlier run stopped), then the results
    ./run mutate run "drillbook.engine*"  # only some mutants
    ./run mutate results | show NAME      # any other mutmut command
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGE = ROOT / ".mutate"
LINKS = {"src": "widgets", "tests": "tests", "scenarios": "scenarios", "course": "course",
         "conftest.py": "conftest.py", "pyproject.toml": "pyproject.toml", "voila.json": "voila.json"}


def stage() -> None:
    """The staging folder, with links to the real sources and content."""
    STAGE.mkdir(exist_ok=True)
    for name, target in LINKS.items():
        link = STAGE / name
        if not link.is_symlink():
            link.symlink_to(Path("..") / target)


def use_mutated_package() -> None:
    original = (ROOT / "widgets").resolve()
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != original]
    for name in [m for m in sys.modules if m == "drillbook" or m.startswith("drillbook.")]:
        del sys.modules[name]


def main(argv: list[str]) -> int:
    from mutmut.__main__ import cli

    stage()
    os.chdir(STAGE)
    use_mutated_package()
    args = argv or ["run", "--max-children", str(os.cpu_count() or 2)]
    try:
        cli.main(args=args, prog_name="mutmut", standalone_mode=False)
        if args[0] == "run":
            cli.main(args=["results"], prog_name="mutmut", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
