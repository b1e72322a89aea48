"""The replay app driven like a learner: buttons clicked, text typed, widgets read back.

Everything runs in-process against the real engine, the real simulated host and the real
console; assertions read what the widgets display (HTML values, disabled states).
"""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as widgets
import pytest

from drillbook.report import damage_report
from drillbook.scenario import Scenario, find_scenario, load_scenario
from drillbook.ui.atlas import branches, click_path, play_branch, render_answer_key, render_summary
from drillbook.ui.pages import app
from drillbook.ui.replay import ReplayApp

from .conftest import FILES

WORST = "ACDB-BCDA-BCDA"
SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"


def tree(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from tree(child)


def html_values(widget: widgets.Widget) -> list[str]:
    return [w.value for w in tree(widget) if isinstance(w, (widgets.HTML, widgets.HTMLMath))]


def shown(widget: widgets.Widget) -> str:
    return "\n".join(html_values(widget))


def click(app_: ReplayApp, code: str) -> None:
    for group in code.split("-"):
        for key in group:
            app_.card.buttons[key].click()
            assert app_.message.value == "", app_.message.value


def finish_remediation(app_: ReplayApp) -> None:
    rem = app_.remediation
    assert rem is not None
    for action in rem.round.actions:
        if action.id in rem.run_buttons:
            rem.run_buttons[action.id].click()
        else:
            rem.checkboxes[action.id].value = True


def test_start_shows_round_one_and_the_clock(seed: Scenario) -> None:
    a = ReplayApp(seed)
    assert "db-root" in a._dom_classes
    assert "Wednesday 03:22 UTC" in a.clock.value
    assert "Round 1 of 4: Alert Fires" in a.card.header.value
    assert 'role="alert"' in a.card.header.value and "PagerDuty fires" in a.card.header.value
    assert [b.description for b in a.card.buttons.values()] == [f"{c.key}) {c.label}" for c in seed.rounds[0].choices]
    assert not any(b.disabled for b in a.card.buttons.values())
    assert a.result.layout.display == "none" and a.report_view.value == ""
    a.investigate.toggle.value = True  # open every section, so the count covers them too
    a.notes_box.toggle.value = True
    in_console = {id(w) for w in tree(a.console)}  # the console is also a standalone view, styled itself
    styles = [w for w in tree(a) if id(w) not in in_console and isinstance(w, widgets.HTML) and w.value.startswith("<style>")]
    assert len(styles) == 1


def test_collapsed_sections_are_built_when_first_opened(seed: Scenario) -> None:
    """The console and the notes cost the page nothing until a learner opens them."""
    a = ReplayApp(seed)
    assert not a.investigate.expanded and a.console is None
    assert not a.notes_box.expanded and a.notes_box.content is None
    before = sum(1 for _ in tree(a))
    a.investigate.toggle.value = True  # what pressing the section's title does
    assert a.console is not None and a.console in a.investigate.body.children
    assert a.investigate.body.layout.display is None  # shown
    a.notes_box.toggle.value = True
    assert a.notes_box.content is not None and "Notes on round 1" in a.notes_box.content.heading.value
    assert sum(1 for _ in tree(a)) > before + 10  # views only; their layout and style models come on top
    console = a.console
    a.investigate.toggle.value = False  # closing keeps what is on the console's screen
    a.investigate.toggle.value = True
    assert a.console is console
    a.restart_button.click()  # a restart starts from a fresh, collapsed console
    assert a.console is None and not a.investigate.expanded and a.investigate.body.layout.display == "none"


def test_optimal_path_by_clicks_reports_15_minutes_and_sla_met(seed: Scenario) -> None:
    a = ReplayApp(seed)
    click(a, "B")
    assert "Round 2 of 4" in a.card.header.value
    body = a.result.body.value
    assert "Recommended" in body and "+3 minutes" in body
    assert "$ cat /proc/net/bonding/bond0" in body and "MII Status: down" in body  # real host output
    click(a, "A-A")
    assert a.remediation is not None and a.stage.children == (a.remediation,)
    finish_remediation(a)
    assert a.engine.finished and a.message.value == ""
    report = a.report_view.value
    assert "Time to resolve: <strong>15 minutes</strong>" in report and "the optimal time" in report
    assert "SLA met" in report and "BREACHED" not in report
    assert "<code class=\"db-code\">B-A-A</code>" in report
    assert "Risk of data inconsistency" not in report
    assert "Wednesday 03:37 UTC" in a.clock.value
    assert a.stage.children == () and a.result.layout.display == "none"


def test_worst_path_breaches_sla_and_warns_of_data_inconsistency(seed: Scenario) -> None:
    a = ReplayApp(seed)
    click(a, WORST)
    finish_remediation(a)
    report = a.report_view.value
    assert "<strong>80 minutes</strong>" in report and "65 minutes over the optimal" in report
    assert "SLA BREACHED" in report
    assert "Risk of data inconsistency during extended split" in report
    assert "SLA BREACHED" in a.clock.value and "db-sla-breached" in a.clock.value
    assert "Harmful" in report and "What you missed" in report


def test_retry_disables_tried_choice_and_marks_its_verdict(seed: Scenario) -> None:
    a = ReplayApp(seed)
    click(a, "A")
    assert a.card.buttons["A"].disabled
    assert "Wasted time" in a.card.notes["A"].value and "tried" in a.card.notes["A"].value
    assert not any(a.card.buttons[k].disabled for k in "BCD")
    assert all(a.card.notes[k].value == "" for k in "BCD")
    assert "still in round 1" in a.result.body.value
    a.card.buttons["A"].click()  # a disabled button cannot be pressed in the browser; the engine refuses too
    assert "already tried" in a.message.value and "Traceback" not in a.message.value
    click(a, "C")
    assert a.card.buttons["A"].disabled and a.card.buttons["C"].disabled
    assert "Partial clue" in a.card.notes["C"].value
    assert "Round 1: Alert Fires" in a.path_map.value and "Wasted time" in a.path_map.value
    click(a, "D")  # the reboot: its output shows the host right after it, eth1 now active
    assert "$ cat /proc/net/bonding/bond0" in a.result.body.value
    assert "Currently Active Slave: eth1" in a.result.body.value
    click(a, "B")  # ...but a retry rewinds the host: the recommended look sees the broken bond
    assert "Currently Active Slave: eth1" not in a.result.body.value and "MII Status: down" in a.result.body.value


def test_keyboard_focus_moves_to_the_next_open_control(seed: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    focused: list[widgets.Widget] = []
    monkeypatch.setattr(widgets.DOMWidget, "focus", lambda self: focused.append(self))
    a = ReplayApp(seed)
    click(a, "A")  # A is now disabled, so focus must not stay on it
    assert focused[-1] is a.card.buttons["B"]
    click(a, "B-A-A")
    assert focused[-1] is a.remediation.run_buttons["verify-bond"]


def test_replay_from_round_n(seed: Scenario) -> None:
    a = ReplayApp(seed)
    click(a, "B-DA")
    assert a.round_picker.value == 3
    a.round_picker.value = 2
    a.replay_round_button.click()
    assert "Round 2 of 4" in a.card.header.value
    assert a.engine.path_code == "B" and a.engine.elapsed_minutes == 3
    assert not any(b.disabled for b in a.card.buttons.values())
    assert "Replaying from round 2" in a.message.value
    a.restart_button.click()
    assert "Round 1 of 4" in a.card.header.value and a.engine.elapsed_minutes == 0
    assert "Wednesday 03:22 UTC" in a.clock.value


def test_replay_code_box(seed: Scenario) -> None:
    a = ReplayApp(seed)
    a.code_box.value = "ab-a-a"
    a.go_button.click()
    assert a.engine.finished
    assert "<code class=\"db-code\">AB-A-A</code>" in a.report_view.value
    assert "<strong>18 minutes</strong>" in a.report_view.value
    a.code_box.value = "B-X"
    a.go_button.click()
    assert "is not a replay code" in a.message.value and 'role="alert"' in a.message.value
    assert a.engine.path_code == "AB-A-A"  # a bad code leaves the run as it was
    a.code_box.value = "A"
    a.go_button.click()
    assert "leaves you in round 1" in a.message.value


def test_query_string_path_and_instructor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOILA_PREHEAT", "False")  # a kernel Voila started for this request
    monkeypatch.setenv("QUERY_STRING", "path=B-A-A&instructor=1")
    a = app("bond-failover")
    assert isinstance(a, ReplayApp) and a.engine.finished and a.instructor.value
    assert "<strong>15 minutes</strong>" in a.report_view.value and a.code_box.value == "B-A-A"
    monkeypatch.setenv("QUERY_STRING", "path=%3Cscript%3E")
    bad = app("bond-failover")
    assert "is not a replay code" in bad.message.value and "&lt;script&gt;" in bad.message.value
    assert "Round 1 of 4" in bad.card.header.value
    monkeypatch.delenv("QUERY_STRING")
    assert not app("bond-failover").engine.steps


def test_unknown_scenario_is_a_friendly_message() -> None:
    view = app("no-such-incident", query="")
    text = shown(view)
    assert "Cannot open the incident: no scenario" in text and "Traceback" not in text


def test_instructor_view_reveals_every_verdict_of_the_round(seed: Scenario) -> None:
    a = ReplayApp(seed)
    assert all(n.value == "" for n in a.card.notes.values())
    a.instructor.value = True
    for choice in seed.rounds[0].choices:
        note = a.card.notes[choice.key].value
        assert choice.verdict_label in note and "minute" in note
    assert "out-of-band console" in a.card.notes["B"].value  # the recommended choice's why
    click(a, "B")
    assert "Recommended" in a.card.notes["A"].value  # round 2's A is its recommended choice
    a.instructor.value = False
    assert all(n.value == "" for n in a.card.notes.values())


def test_remediation_by_typing_commands_in_the_console(seed: Scenario) -> None:
    a = ReplayApp(seed)
    click(a, "B-A-A")
    rem = a.remediation
    assert rem is not None and a.engine.elapsed_minutes == 12
    assert "Round 4 of 4: Remediation" in shown(rem) and seed.rounds[3].pressure_cue in shown(rem)
    type_in_console(rem.console, "ip -br link")  # ordinary investigation: console cost
    assert a.engine.elapsed_minutes == 13
    type_in_console(rem.console, "cat   /proc/net/bonding/bond0")
    assert "verify-bond" in a.engine.state.completed_actions
    assert a.engine.elapsed_minutes == 14  # the action's 1 minute, not the console's on top
    assert "+1 min" in rem.console.status.value
    assert rem.run_buttons["verify-bond"].disabled and "✓ done" in rem.rows["verify-bond"].value
    assert "Currently Active Slave: eth0" in shown(rem.console)
    rem.run_buttons["test-failover"].click()
    assert "test-failover" in a.engine.state.completed_actions and a.engine.elapsed_minutes == 16
    assert "ifdown eth0 &amp;&amp; sleep 5 &amp;&amp; ifup eth0" in shown(rem.console)  # run where all can see it
    assert "+2 min" in rem.console.status.value
    type_in_console(rem.console, "cat /proc/net/bonding/bond0")  # a re-run is ordinary console time
    assert a.engine.elapsed_minutes == 17 and "Wednesday 03:39 UTC" in a.clock.value


def test_investigation_console_charges_the_clock(seed: Scenario) -> None:
    a = ReplayApp(seed)
    assert a.investigate.layout.display is None
    a.investigate.toggle.value = True
    type_in_console(a.console, "cat /proc/net/bonding/bond0")
    assert "MII Status: down" in shown(a.console)
    assert a.engine.elapsed_minutes == 1 and "1 minute since the alert" in a.clock.value
    click(a, "B-A-A")
    assert a.investigate.layout.display == "none"  # the remediation round has its own console
    finish_remediation(a)
    report = a.report_view.value
    assert "<strong>16 minutes</strong> (including 1 minute at the console)" in report


def test_console_follows_the_host_after_each_choice(seed: Scenario) -> None:
    a = ReplayApp(seed)
    a.investigate.toggle.value = True
    click(a, "B-B")  # restart networking: eth1 becomes active, but the choice stays in round 2...
    type_in_console(a.console, "grep Active /proc/net/bonding/bond0")
    assert "Currently Active Slave: eth1" not in a.console.transcript  # ...and a retry rewinds the host
    click(a, "A")
    type_in_console(a.console, "ethtool -i eth1")
    assert "firmware-version: 0x80000208" in a.console.transcript


def test_scenario_without_a_host_has_no_console(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(FILES / "minimal.yaml")
    a = ReplayApp(scenario)
    assert a.console is None and a.investigate.layout.display == "none"
    click(a, "A")
    rem = a.remediation
    assert rem is not None and rem.console is None and not rem.run_buttons
    rem.checkboxes["add-index"].value = True
    assert a.engine.finished and "<strong>5 minutes</strong>" in a.report_view.value


def test_close_incident_early_lists_missed_actions(seed: Scenario) -> None:
    a = ReplayApp(seed)
    click(a, "B-A-A")
    rem = a.remediation
    rem.checkboxes["patching-checklist"].value = True
    assert rem.checkboxes["patching-checklist"].disabled
    rem.close_button.click()
    report = a.report_view.value
    assert a.engine.finished and "Remediation not done" in report
    assert report.count("✗ missed") == 4 and report.count("✓ done") == 1


def test_report_links_primers_and_shows_what_if(seed: Scenario) -> None:
    a = ReplayApp(seed)
    a.code_box.value = "B-A-A"
    a.go_button.click()
    report = a.report_view.value
    for ref in seed.cross_references:
        assert f'href="{ref.notebook}" target="_self"' in report
    for fact in seed.damage.facts:
        assert fact.split(":")[0] in report
    assert report.count("<tr") == 1 + sum(len(r.choices) for r in seed.rounds)  # header + every choice
    assert report.count("<td>yes</td>") == 3


def test_unexpected_errors_become_a_message(seed: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    a = ReplayApp(seed)

    def boom(key: str) -> None:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(a.engine, "choose", boom)
    a.card.buttons["B"].click()
    assert "Something unexpected went wrong" in a.message.value
    assert "internal detail" not in a.message.value and "Traceback" not in shown(a)


def test_scenario_text_is_escaped_in_every_view() -> None:
    scenario = load_scenario(FILES / "xss-scenario.yaml")
    a = ReplayApp(scenario, instructor=True)
    seen: list[str] = []

    def collect() -> None:
        seen.extend(html_values(a))

    collect()
    click(a, "A")
    collect()
    click(a, "CDB-BCDA-BCD")  # every wrong choice, the last round still open
    collect()
    click(a, "A")
    collect()
    type_in_console(a.remediation.console, "cat /proc/net/bonding/bond0")
    collect()
    a.remediation.close_button.click()  # the report with missed actions
    collect()
    a.code_box.value = WORST
    a.go_button.click()  # the report with every action done
    collect()
    a.code_box.value = "<img src=x onerror=alert(1)>"
    a.go_button.click()
    collect()
    assert "is not a replay code" in a.message.value
    seen.append(render_answer_key(scenario))  # the branch atlas's static HTML too
    played = [play_branch(a, branch) for branch in branches(scenario)[:3]]
    seen.extend(p.html for p in played)
    seen.append(render_summary(played))
    joined = "\n".join(seen)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in joined and "&lt;img src=x onerror=alert(1)&gt;" in joined
    for value in seen:
        body = value[len("<style>"):] if value.startswith("<style>") else value
        assert "<script" not in body.lower() and "<img" not in body.lower()


@pytest.mark.parametrize("scenario_id", ["bond-failover", "lacp-one-link", "mtu-blackhole"])
def test_atlas_branches_cover_every_wrong_choice(scenario_id: str) -> None:
    """Every branch of every incident clicks through to its report, the remediation checklist
    included (its console commands must show what each action expects)."""
    scenario = load_scenario(find_scenario(scenario_id))
    found = branches(scenario)
    wrong = sum(1 for r in scenario.rounds for c in r.choices if c.verdict != "recommended")
    assert len(found) == 2 + wrong
    for branch in found:
        a = ReplayApp(scenario)
        click_path(a, branch.code)
        assert a.engine.finished and a.engine.path_code == branch.code
        assert not damage_report(scenario, a.engine.state).missed or branch.code != found[0].code
    assert found[0].code == "B-A-A"


def type_in_console(console: widgets.Widget, line: str) -> None:
    """Type a line into the console's input box and press its Run button, as a learner does."""
    console.input.value = line
    console.run_button.click()
    assert console.input.value == ""


def test_remediation_check_refuses_output_that_does_not_show_the_expected_state(seed: Scenario) -> None:
    """`verify-bond` expects eth0 active: with eth0 down the same command does not tick the step."""
    a = ReplayApp(seed)
    click(a, "B-A-A")
    rem = a.remediation
    type_in_console(rem.console, "ifdown eth0")
    type_in_console(rem.console, "cat /proc/net/bonding/bond0")
    assert "Currently Active Slave: eth1" in rem.console.transcript
    assert "verify-bond" not in a.engine.state.completed_actions
    assert "does not show “Currently Active Slave: eth0” yet" in a.message.value
    assert not rem.run_buttons["verify-bond"].disabled and "○ to do" in rem.rows["verify-bond"].value
    type_in_console(rem.console, "ifup eth0")
    type_in_console(rem.console, "cat /proc/net/bonding/bond0")
    assert "verify-bond" in a.engine.state.completed_actions
    assert rem.run_buttons["verify-bond"].disabled and "✓ done" in rem.rows["verify-bond"].value
    assert "does not show" not in a.message.value  # the stale warning goes once the step is verified


def test_sla_changes_are_announced_once(seed: Scenario) -> None:
    """The SLA sentence is an alert (read out by screen readers) on the render where the level
    changes, and a quiet status otherwise."""
    a = ReplayApp(seed)
    assert 'class="db-sla-text" role="status"' in a.clock.value
    announced: list[str] = []
    for key in "ACDB":  # round 1, every wrong choice first
        a.card.buttons[key].click()
        if 'role="alert"' in a.clock.value:
            announced.append(a.clock.value)
    for key in "BCDA":
        a.card.buttons[key].click()
        if 'role="alert"' in a.clock.value:
            announced.append(a.clock.value)
    assert a.engine.state.sla_breached
    assert len(announced) == 2, "one alert when the budget is nearly used, one at the breach"
    assert "minutes left" in announced[0] and "SLA BREACHED" in announced[1]
    if 'role="alert"' in a.clock.value:  # the breach came with the last click: one more event
        a.card.buttons["B"].click()
    assert 'class="db-sla-text" role="status"' in a.clock.value and "SLA BREACHED" in a.clock.value
