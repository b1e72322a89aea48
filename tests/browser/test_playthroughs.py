"""Whole replays of the bonding incident on the served course, driven like a learner.

The optimal run (B, A, A, then the remediation round worked on the console) must end at 15
minutes within the SLA; the every-wrong-choice run (ACDB, BCDA, BCDA) at 80 minutes with the
SLA breached and the data-inconsistency risk shown. The keyboard run never touches the mouse.
Each run also checks that the finished page (verdict badges, report) passes axe-core.
"""

from __future__ import annotations

import re
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from drillbook.scenario import find_scenario, load_scenario

from . import _pages
from ._server import VoilaServer

REPLAY = "incident-replay.ipynb"
SCENARIO = load_scenario(find_scenario("bond-failover"))
REMEDIATION = SCENARIO.rounds[-1]
RISK = SCENARIO.damage.risks[0].text  # "Risk of data inconsistency during extended split"


def serious_violations(page: Page, context: str = ".db-replay") -> list[str]:
    """axe-core on one view only (test_pages covers the page around it)."""
    response = Axe().run(page, context=context).response
    return [f"{v['impact']} {v['id']}: {[n.get('target') for n in v['nodes']][:4]} {v['nodes'][0].get('failureSummary', '')[:200]}"
            for v in response.get("violations", []) if v.get("impact") in ("serious", "critical")]


def console_type(page: Page, command: str, scope: str = ".db-remediation") -> None:
    """Type a command into the console's input and press Enter, as a learner does."""
    box = page.locator(f"{scope} .db-console-input input").first
    box.click()
    box.fill(command)
    box.press("Enter")


def test_optimal_playthrough_takes_15_minutes(page: Page, voila: VoilaServer, screenshots: Any) -> None:
    _pages.open_notebook(page, voila, REPLAY, selector=".db-choice")
    expect(page.locator(".db-round-title").first).to_contain_text("Round 1 of 4")
    _pages.play_rounds(page, "B-A-A")
    expect(page.locator(".db-remediation")).to_be_visible()
    # Verify on the console like a learner: the action is ticked by its own command.
    verify = REMEDIATION.actions[0]
    console_type(page, verify.command)
    expect(page.locator(".db-console-output").first).to_contain_text(verify.expect)
    expect(page.locator(".db-action", has_text=verify.text.split("`")[0].strip()).first).to_contain_text("done")
    # The failover test via "Run it for me", then the three follow-up tickets.
    _pages.finish_remediation(page)
    report = _pages.report_text(page)
    expect(page.locator(".db-report-time strong")).to_have_text("15 minutes")
    assert "SLA met" in report and "SLA BREACHED" not in report
    assert RISK not in report, "the optimal path must not trigger the data-inconsistency risk"
    expect(page.locator(".db-report-path code.db-code")).to_have_text("B-A-A")
    assert "✗ missed" not in report
    _pages.full_screenshot(page, str(screenshots / "playthrough-optimal-light.png"))
    assert not serious_violations(page)
    assert not page.page_errors  # type: ignore[attr-defined]


def test_every_wrong_choice_playthrough_breaches_the_sla(page: Page, voila: VoilaServer, screenshots: Any) -> None:
    _pages.open_notebook(page, voila, REPLAY, selector=".db-choice", theme="dark")
    for group in "ACDB-BCDA-BCDA".split("-"):
        for key in group[:-1]:
            _pages.choose(page, key)
            # A wrong choice keeps you in the round: its button is disabled and shows its verdict.
            expect(_pages.choice_button(page, key)).to_be_disabled()
            expect(page.locator(".db-result .db-next")).to_contain_text("still in round")
        _pages.choose(page, group[-1])
    clock = page.locator(".db-clock").inner_text()
    assert "SLA BREACHED" in clock, clock
    _pages.finish_remediation(page)
    report = _pages.report_text(page)
    expect(page.locator(".db-report-time strong")).to_have_text("80 minutes")
    assert "SLA BREACHED" in report
    expect(page.locator(".db-risk")).to_contain_text(RISK)
    assert "75+ minutes" in report  # the scenario's reference fact, shown for comparison
    expect(page.locator(".db-report-path code.db-code")).to_have_text("ACDB-BCDA-BCDA")
    _pages.full_screenshot(page, str(screenshots / "playthrough-worst-dark.png"))
    found = serious_violations(page)
    assert not found, f"axe-core on the finished worst-path replay (dark):\n" + "\n".join(found)


# -- keyboard only ---------------------------------------------------------------------------

def active(page: Page) -> dict[str, Any]:
    return page.evaluate("""() => { const e = document.activeElement;
      return {tag: e ? e.tagName : '', cls: e ? String(e.className) : '', type: e && e.type ? e.type : '',
              text: e ? (e.innerText || e.value || e.title || '').trim() : '', disabled: !!(e && e.disabled),
              followup: !!(e && e.closest && e.closest('.db-followup'))}; }""")


def tab_to(page: Page, matches: Any, limit: int = 80) -> int:
    """Press Tab until the focused element satisfies ``matches``; the number of presses
    (0 if the app already put focus there)."""
    if matches(active(page)):
        return 0
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if matches(active(page)):
            return presses
    raise AssertionError(f"{limit} Tab presses never reached the wanted element; focus is on {active(page)}")


def is_choice(key: str) -> Any:
    return lambda el: el["tag"] == "BUTTON" and "db-choice" in el["cls"] and el["text"].startswith(f"{key})")


def test_keyboard_only_replay(page: Page, voila: VoilaServer) -> None:
    """Tab/Enter/Space through the optimal replay and the remediation round, no mouse at all."""
    _pages.open_notebook(page, voila, REPLAY, selector=".db-choice")
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); document.body.focus(); }")
    presses: dict[str, int] = {}
    for number, (key, press) in enumerate([("B", "Enter"), ("A", "Space"), ("A", "Enter")], start=1):
        before = _pages.path_code(page)
        presses[f"round {number}"] = tab_to(page, is_choice(key))
        assert active(page)["text"].startswith(f"{key})")
        page.keyboard.press(press)
        _pages.wait_path_grew(page, before, key)
        # Focus follows the replay: onto the next round's first open choice (the kernel moves
        # it, asynchronously), or into the remediation checklist; never back to the page top.
        page.wait_for_function(
            """(remediation) => { const e = document.activeElement;
                 if (!e || !e.closest) return false;
                 if (remediation) return !!e.closest('.db-remediation');
                 const first = document.querySelector('.db-choice:not([disabled])');
                 return e === first && /^A\\)/.test(e.innerText.trim()); }""",
            arg=number == 3, timeout=30_000)
    expect(page.locator(".db-remediation")).to_be_visible()
    assert presses["round 2"] == 0 and presses["round 3"] == 0, f"Tab presses needed per round: {presses}"
    # Remediation: each "Run it for me" with Enter, each follow-up checkbox with Space.
    def actionable(el: dict[str, Any]) -> bool:
        return not el["disabled"] and ((el["tag"] == "BUTTON" and el["text"] == "Run it for me")
                                       or (el["type"] == "checkbox" and el["followup"]))

    for step in range(len(REMEDIATION.actions)):
        tab_to(page, actionable)
        key = "Enter" if active(page)["tag"] == "BUTTON" else "Space"
        focused = page.evaluate_handle("() => document.activeElement")
        page.keyboard.press(key)
        # Done actions are disabled by the kernel (or gone once the report replaced the
        # checklist); wait for that round trip before tabbing on.
        page.wait_for_function("(el) => !el.isConnected || el.disabled", arg=focused, timeout=60_000)
        if page.locator(".db-report").is_visible():
            break
    report = _pages.report_text(page)
    expect(page.locator(".db-report-time strong")).to_have_text("15 minutes")
    assert "SLA met" in report


# -- console ---------------------------------------------------------------------------------

def test_investigation_console_opens_from_the_keyboard_and_charges_the_clock(page: Page, voila: VoilaServer) -> None:
    """The console section is built when first opened: Enter on its title opens it, a command
    answers from the host as it is in round 1, and its minute goes on the incident clock."""
    _pages.open_notebook(page, voila, REPLAY, selector=".db-choice")
    section = page.locator(".db-investigate")
    expect(section.locator(".db-console-input")).to_have_count(0)  # nothing built before it is opened
    title = section.locator("button.db-section-toggle")
    expect(title).to_contain_text("Investigate on the console")
    title.focus()  # a real <button>: reachable with Tab, pressed with Enter
    page.keyboard.press("Enter")
    expect(title).to_have_class(re.compile(r"\bmod-active\b"))
    console_type(page, "cat /proc/net/bonding/bond0", scope=".db-investigate")
    expect(section.locator(".db-console-output")).to_contain_text("MII Status: down")
    expect(page.locator(".db-clock")).to_contain_text("1 minute since the alert")
    _pages.choose(page, "B")  # the open console follows the host into round 2
    console_type(page, "ethtool -i eth1", scope=".db-investigate")
    expect(section.locator(".db-console-output")).to_contain_text("firmware-version:")
    assert not _pages.problems(_pages.visible_text(page))
    found = serious_violations(page, ".db-investigate")
    assert not found, "axe-core on the open console section:\n" + "\n".join(found)
    title.focus()  # Enter on the title closes the section again
    page.keyboard.press("Enter")
    expect(section.locator(".db-section-body")).to_be_hidden()


def test_console_answers_and_refuses_injection(page: Page, voila: VoilaServer) -> None:
    """In a primer's practice console: the real bond file, then a shell-injection attempt that
    gets a harmless answer (and starts no process on the server)."""
    _pages.open_notebook(page, voila, "primer-lacp-bonding.ipynb", selector=".db-console-input input", theme="dark")
    console = page.locator(".db-console").first
    kernels_before = voila.kernel_pids()
    children_before = {pid: _children(pid) for pid in kernels_before}
    console_type(page, "cat /proc/net/bonding/bond0", scope=".db-console")
    screen = console.locator(".db-console-output")
    expect(screen).to_contain_text("Ethernet Channel Bonding Driver")
    expect(screen).to_contain_text("Bonding Mode: fault-tolerance (active-backup)")
    expect(screen).to_contain_text("Slave Interface: eth1")
    attack = "; rm -rf / $(reboot) `id`"
    console_type(page, attack, scope=".db-console")
    expect(screen).to_contain_text(attack)  # echoed literally, as typed
    text = screen.inner_text()
    answer = text.split(attack, 1)[1]
    assert "uid=" not in answer and "rebooting" not in answer.lower(), answer
    assert answer.strip(), "the console should answer the injection attempt with a message"
    # The console still works afterwards and nothing ran on the machine.
    console_type(page, "hostname", scope=".db-console")
    expect(screen).to_contain_text("db-primary-01")
    assert {pid: _children(pid) for pid in kernels_before} == children_before, "a command started a process"
    assert not page.page_errors  # type: ignore[attr-defined]
    found = serious_violations(page, ".db-console")
    assert not found, "axe-core on the console with output (dark):\n" + "\n".join(found)


def _children(pid: int) -> set[int]:
    from ._server import descendants

    return descendants(pid)


# -- quiz ------------------------------------------------------------------------------------

def test_quiz_wrong_then_right(page: Page, voila: VoilaServer) -> None:
    from drillbook.quiz import load_quiz

    quiz = load_quiz("lacp-bonding")
    question = next(q for q in quiz.questions if q.kind == "single")
    right = next(o.text for o in question.options if o.correct).replace("`", "")
    wrong_option = next(o for o in question.options if not o.correct)
    wrong = wrong_option.text.replace("`", "")
    _pages.open_notebook(page, voila, "primer-lacp-bonding.ipynb", selector=".db-quiz")
    card = page.locator(".db-quiz-question").filter(has_text=question.prompt.replace("`", "")[:40]).first
    check = card.get_by_role("button", name="Check answer")
    expect(check).to_be_disabled()
    card.get_by_role("radio", name=wrong, exact=True).check()
    expect(check).to_be_enabled()
    check.click()
    feedback = card.locator(".db-quiz-feedback")
    expect(feedback).to_contain_text("Not quite")
    expect(feedback).to_contain_text(wrong_option.why.replace("`", "")[:40])
    expect(page.locator(".db-quiz-score")).to_contain_text("0 of")
    card.get_by_role("button", name="Try again").click()
    expect(feedback).to_have_text(re.compile(r"^\s*$"))
    card.get_by_role("radio", name=right, exact=True).check()
    check.click()
    expect(feedback).to_contain_text("Right.")
    expect(card.get_by_role("button", name="Try again")).to_be_hidden()
    expect(page.locator(".db-quiz-score")).to_contain_text("1 of")
    found = serious_violations(page, ".db-quiz")
    assert not found, "axe-core on the quiz with feedback shown:\n" + "\n".join(found)
