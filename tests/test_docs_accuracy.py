"""docs/accuracy.md maps every simulated output and every claim to a source (issue 15)."""

from __future__ import annotations

import re

from drillbook.host._templates import catalogue
from drillbook.quiz import load_quiz, quiz_dir

from .conftest import REPO

DOC = (REPO / "docs" / "accuracy.md").read_text(encoding="utf-8")


def rows_for(key: str) -> list[str]:
    return [line for line in DOC.splitlines() if line.startswith("|") and f"`{key}`" in line]


def test_every_kernel_message_has_a_sourced_row() -> None:
    for key in catalogue("kernel-messages"):
        rows = rows_for(key)
        assert rows, f"kernel message '{key}' is not in docs/accuracy.md"
        assert any(re.search(r"\w+\(\)|\.c\b|Stylised", row) for row in rows), f"'{key}' has no source"


def test_every_tool_message_is_sourced() -> None:
    for key in catalogue("tools"):
        assert rows_for(key), f"tool message '{key}' is not in docs/accuracy.md"


def test_the_seeds_stylised_lines_are_marked() -> None:
    assert "**Stylised**" in rows_for("fw_mismatch")[0]
    for words in ("firmware mismatch — NIC in degraded mode", "MII Status: down even though the switch port is up",
                  "Both slaves active"):
        line = next(line for line in DOC.splitlines() if words.lower() in line.lower())
        assert "tylised" in line, words


def test_every_quiz_question_and_primer_is_mapped() -> None:
    for path in sorted(quiz_dir().glob("*.yaml")):
        quiz = load_quiz(path.stem)
        for question in quiz.questions:
            assert f"{quiz.id} / `{question.id}`" in DOC, f"{quiz.id}/{question.id} missing"
    for notebook in ("primer-datacenter-hardware", "primer-lacp-bonding", "primer-linux-ops",
                     "footguns-networking", "debrief"):
        assert f"| {notebook}," in DOC, notebook


def test_every_output_family_has_a_row() -> None:
    for family in ("/proc/net/bonding/bond0", "sysfs bonding files", "`dmesg` stamps", "`journalctl -k`",
                   "`ethtool DEV`", "`ethtool -i DEV`", "`ip link`", "`ip route`", "`ping`", "`uptime`"):
        assert any(line.startswith(f"| {family}") or line.startswith(f"| `{family}`") for line in DOC.splitlines()), family
