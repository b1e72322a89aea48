"""The newer incidents played on the served course like a learner: the optimal path of each,
clicked round by round, its first remediation step verified by typing the command into the
console, the rest worked through the checklist; the report must show the optimal minutes within
the SLA. The investigation console answers in the incident's own formats (802.3ad details,
MTU-sized pings)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from drillbook.replay_codes import summarize
from drillbook.scenario import find_scenario, load_scenario

from . import _pages
from ._server import VoilaServer
from .test_playthroughs import console_type, serious_violations

INCIDENTS = {"lacp-one-link": "incident-lacp-one-link.ipynb", "mtu-blackhole": "incident-mtu-blackhole.ipynb"}


@pytest.mark.parametrize("scenario_id", sorted(INCIDENTS))
def test_optimal_playthrough(page: Page, voila: VoilaServer, screenshots: Any, scenario_id: str) -> None:
    scenario = load_scenario(find_scenario(scenario_id))
    summary = summarize(scenario)
    remediation = scenario.rounds[-1]
    _pages.open_notebook(page, voila, INCIDENTS[scenario_id], selector=".db-choice")
    expect(page.locator(".db-round-title").first).to_contain_text(f"Round 1 of {len(scenario.rounds)}")
    _pages.play_rounds(page, summary.optimal_code)
    expect(page.locator(".db-remediation")).to_be_visible()
    verify = remediation.actions[0]
    assert verify.command and verify.expect
    console_type(page, verify.command)
    expect(page.locator(".db-remediation .db-console-output").first).to_contain_text(verify.expect)
    expect(page.locator(".db-action", has_text=verify.text.split("`")[0].strip()).first).to_contain_text("done")
    _pages.finish_remediation(page)
    report = _pages.report_text(page)
    expect(page.locator(".db-report-time strong")).to_have_text(f"{summary.optimal_minutes} minutes")
    assert "SLA met" in report and "SLA BREACHED" not in report
    assert all(risk.text not in report for risk in scenario.damage.risks)
    expect(page.locator(".db-report-path code.db-code")).to_have_text(summary.optimal_code)
    assert "✗ missed" not in report
    assert not _pages.problems(_pages.visible_text(page))
    _pages.full_screenshot(page, str(screenshots / f"playthrough-optimal-{scenario_id}.png"))
    assert not serious_violations(page)
    assert not page.page_errors  # type: ignore[attr-defined]


@pytest.mark.parametrize("scenario_id, command, shown", [
    ("lacp-one-link", "cat /proc/net/bonding/bond0", "Partner Churn State: churned"),
    ("mtu-blackhole", "ping -M do -s 8972 -c 4 10.30.0.21", "4 packets transmitted, 0 received, 100% packet loss"),
])
def test_investigation_console_answers_in_the_incident_format(page: Page, voila: VoilaServer, scenario_id: str,
                                                              command: str, shown: str) -> None:
    _pages.open_notebook(page, voila, INCIDENTS[scenario_id], selector=".db-choice")
    section = page.locator(".db-investigate")
    section.locator("button.db-section-toggle").click()
    console_type(page, command, scope=".db-investigate")
    expect(section.locator(".db-console-output")).to_contain_text(shown)
    expect(page.locator(".db-clock")).to_contain_text("minute since the alert")
