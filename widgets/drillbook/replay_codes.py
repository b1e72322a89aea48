"""Replay codes and the space of all paths through a scenario (pure: model in, codes out).

A replay code lists the keys tried in each decision round, rounds separated by ``-``:
``B-A-A`` is the optimal run of the bonding incident, ``ACDB-BCDA-BCDA`` the every-wrong-choice
run. The search below walks (round, keys already tried) states, which stays small because
rounds only lead forward (the validator guarantees it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ._text import printable
from .errors import UnknownIdError
from .model import END, Scenario

_CODE = re.compile(r"^[A-D]+(-[A-D]+)*$")


def parse_code(code: str) -> list[str]:
    """Split a replay code into per-round groups, rejecting anything else with a clear message."""
    cleaned = (code or "").strip().upper().replace(" ", "")
    if cleaned == "":
        return []
    if not _CODE.fullmatch(cleaned):
        shown = printable(code, 40)
        raise UnknownIdError(
            f"'{shown}' is not a replay code: use the letters A-D for each round, rounds separated by '-', e.g. B-A-A"
        )
    return cleaned.split("-")


@dataclass(frozen=True)
class PathSummary:
    count: int  #: distinct complete paths (orders of tries count as different paths)
    optimal_code: str
    optimal_minutes: int
    worst_code: str
    worst_minutes: int


def summarize(scenario: Scenario) -> PathSummary:
    """Count every complete path and find the fastest and the slowest (remediation included)."""

    @lru_cache(maxsize=None)
    def walk(round_id: str, tried: frozenset[str]) -> tuple[int, tuple[int, str], tuple[int, str]]:
        rnd = scenario.round(round_id)
        if rnd.kind == "remediation":
            return 1, (rnd.remediation_minutes, ""), (rnd.remediation_minutes, "")
        count, best, worst = 0, (10**9, ""), (-1, "")
        for choice in rnd.choices:
            if choice.key in tried:
                continue
            if not choice.moves_on:
                sub = walk(round_id, tried | {choice.key})
                sep = ""
            elif choice.next == END:
                sub = (1, (0, ""), (0, ""))
                sep = "-"
            else:
                sub = walk(choice.next, frozenset())
                sep = "-"
            sub_count, (b_min, b_code), (w_min, w_code) = sub
            if sub_count == 0:
                continue
            count += sub_count
            b = (choice.minutes + b_min, choice.key + (sep + b_code if b_code else ""))
            w = (choice.minutes + w_min, choice.key + (sep + w_code if w_code else ""))
            best = min(best, b)
            worst = max(worst, w)
        return count, best, worst

    count, (opt_min, opt_code), (worst_min, worst_code) = walk(scenario.first_round.id, frozenset())
    return PathSummary(count, opt_code.rstrip("-"), opt_min, worst_code.rstrip("-"), worst_min)


def all_codes(scenario: Scenario, limit: int = 100_000) -> list[str]:
    """Every complete replay code, for tests and the branch atlas (bounded by ``limit``)."""
    out: list[str] = []

    def walk(round_id: str, tried: tuple[str, ...], prefix: str) -> None:
        if len(out) >= limit:
            return
        rnd = scenario.round(round_id)
        if rnd.kind == "remediation":
            out.append(prefix.rstrip("-"))
            return
        for choice in rnd.choices:
            if choice.key in tried:
                continue
            if not choice.moves_on:
                walk(round_id, tried + (choice.key,), prefix + choice.key)
            elif choice.next == END:
                out.append(prefix + choice.key)
            else:
                walk(choice.next, (), prefix + choice.key + "-")

    walk(scenario.first_round.id, (), "")
    return out
