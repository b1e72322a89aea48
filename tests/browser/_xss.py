"""A copy of the bonding incident whose every free-text field carries HTML/JS payloads.

Each payload sets ``window.__pwned`` and opens an ``alert``, so a test can see both whether a
script ran (the sentinel) and whether a dialog opened. The payloads cover a raw ``<script>``,
an event handler on an element, one inside `backticks` (the only markup scenarios get) and one
that tries to break out of an HTML attribute (tooltips, ``aria-label``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import yaml

from ._server import REPO

SEED = REPO / "scenarios" / "bond-failover.yaml"

PAYLOADS = (
    "<script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    "`<svg onload=window.__pwned=1>`",
    "\"'><b onmouseover=window.__pwned=1>x</b>",
)
PAYLOAD = " ".join(PAYLOADS)
#: How each payload must read on the page (the backticked one loses its backticks to <code>).
SHOWN = tuple(p.strip("`") for p in PAYLOADS)

#: Keys whose string values are prose (ids, commands, expected output and host facts stay valid).
TEXT_KEYS = {"title", "system_context", "time_of_day", "role", "pressure_cue", "what_you_see", "label",
             "result", "why", "text", "note", "blast_radius", "optimal_summary", "worst_summary"}
TEXT_LISTS = {"facts"}


def _poison(node: Any, key: str | None = None) -> Any:
    if isinstance(node, dict):
        # The host section is device facts with tight length limits, not prose.
        return {k: (v if k == "host" else _poison(v, k)) for k, v in node.items()}
    if isinstance(node, list):
        if key in TEXT_LISTS:
            return [f"{item} {PAYLOAD}" for item in node]
        return [_poison(item) for item in node]
    if isinstance(node, str) and key in TEXT_KEYS:
        return f"{node} {PAYLOAD}"
    return node


def write_scenario(folder: Path) -> Path:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data = _poison(data)
    data["id"] = "xss-bond-failover"
    path = folder / "xss-bond-failover.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def write_notebook(folder: Path, code: str, name: str = "throwaway.ipynb") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / name
    nbformat.write(nb, path)
    return path
