"""Every simulated command's exact output in every significant state of the seed.

The golden files were generated once (``DRILLBOOK_REGEN_GOLDEN=1 pytest tests/test_host_golden.py``)
and reviewed by eye against shared/reference/linux-bonding-formats.md; from then on any change
to a byte of output (a TAB, a space, a label) fails here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .test_host_states import COMMANDS, STATES, run_fresh

GOLDEN = Path(__file__).parent / "files" / "golden"
REGEN = os.environ.get("DRILLBOOK_REGEN_GOLDEN") == "1"


def transcript(state: str) -> str:
    parts = []
    for command in COMMANDS:
        parts.append(f"$ {command}\n{run_fresh(state, command)}\n")
    return "\n".join(parts)


@pytest.mark.parametrize("state", sorted(STATES))
def test_golden(state: str) -> None:
    path = GOLDEN / f"{state}.txt"
    actual = transcript(state)
    if REGEN:
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output changed for state {state}; diff against {path}"


def test_golden_files_keep_ethtool_tabs() -> None:
    """Guard against an editor expanding the TABs in the reviewed files themselves."""
    text = (GOLDEN / "start.txt").read_text(encoding="utf-8")
    assert "\n\tLink detected: yes\n" in text
    assert "\n        Current message level: 0x00000007 (7)\n" in text
    assert "\n                               drv probe link\n" in text
