"""Every console command's exact output in the significant states of the newer incidents.

Generated once (``DRILLBOOK_REGEN_GOLDEN=1 pytest tests/test_host_golden_incidents.py``) and
reviewed by eye against bond_procfs.c, bond_3ad.c and iputils' output; from then on a changed
byte (a TAB in "Active Aggregator Info", a space in ``ip route get``) fails here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ._incident_hosts import CASES, transcript

GOLDEN = Path(__file__).parent / "files" / "golden"
REGEN = os.environ.get("DRILLBOOK_REGEN_GOLDEN") == "1"


@pytest.mark.parametrize("scenario_id, state", CASES, ids=[f"{s}/{n}" for s, n in CASES])
def test_golden(scenario_id: str, state: str) -> None:
    path = GOLDEN / scenario_id / f"{state}.txt"
    actual = transcript(scenario_id, state)
    if REGEN:
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"output changed for {scenario_id} state {state}; diff against {path}"


def test_golden_files_keep_the_aggregator_tabs() -> None:
    """Guard against an editor expanding the TABs (and 4-space LACPDU indents) in the files."""
    text = (GOLDEN / "lacp-one-link" / "start.txt").read_text(encoding="utf-8")
    assert "\nActive Aggregator Info:\n\tAggregator ID: 1\n\tNumber of ports: 1\n" in text
    assert "\ndetails partner lacp pdu:\n    system priority: 65535\n    system mac address: 00:00:00:00:00:00\n" in text
    assert "\n10.30.0.21 dev bond0 src 10.30.0.23 uid 0 \n    cache \n" in \
        (GOLDEN / "mtu-blackhole" / "start.txt").read_text(encoding="utf-8")
