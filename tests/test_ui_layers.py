"""The views' layering, checked on the source: views read state and send events, and only
``ui/_hostlink.py`` knows the simulated host's API."""

from __future__ import annotations

import ast
from pathlib import Path

import drillbook.ui

UI = Path(drillbook.ui.__file__).parent


def _imports(path: Path) -> set[str]:
    """Modules a ``drillbook.ui`` file imports, as absolute names (relative imports resolved)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = "drillbook.ui" if node.level == 1 else "drillbook" if node.level == 2 else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_only_hostlink_imports_the_host_or_builds_consoles() -> None:
    offenders = []
    for path in sorted(UI.glob("*.py")):
        if path.name == "_hostlink.py":
            continue
        imported = _imports(path)
        if any(n == "drillbook.host" or n.startswith("drillbook.host.") for n in imported):
            offenders.append(f"{path.name} imports the host")
        if path.name != "console.py" and "drillbook.ui.console.Console" in imported:
            offenders.append(f"{path.name} builds a Console itself")
    assert offenders == []


def test_the_checker_sees_relative_imports() -> None:
    assert "drillbook.host.shell_for" in _imports(UI / "_hostlink.py") or \
        "drillbook.host" in _imports(UI / "_hostlink.py")
