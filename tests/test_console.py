"""The console widget, driven in-process like a learner: type, press Enter, read the screen."""

from __future__ import annotations

import ipywidgets as widgets

from drillbook.ui.console import Console
from drillbook.ui.pages import practice_console
from drillbook.host.shell import Shell

from .test_host_states import state_named


def _type(console: Console, line: str) -> None:
    console.input.value = line
    console.input._handle_custom_msg({"event": "submit"}, [])  # what the browser sends on Enter


def test_enter_runs_the_command_and_shows_the_bond_state() -> None:
    charged: list[int] = []
    console = Console(Shell(state_named("start")), on_minutes=charged.append)
    assert {"db-root", "db-console"} <= set(console._dom_classes)
    assert any("<style>" in getattr(child, "value", "") for child in console.children)
    _type(console, "cat /proc/net/bonding/bond0")
    html = console.screen.value
    assert "root@db-primary-01:~# cat /proc/net/bonding/bond0" in html
    assert "Currently Active Slave: None" in html and "Slave Interface: eth1" in html
    assert charged == [1]
    assert console.status.value.endswith("(+1 min, simulated clock 03:23 UTC)</span>")
    assert console.input.value == "" and "cat /proc/net/bonding/bond0" in console.input.options


def test_run_button_and_free_commands() -> None:
    charged: list[int] = []
    console = Console(Shell(state_named("start")), on_minutes=charged.append)
    console.input.value = "help"
    console.run_button.click()
    assert "ping -c 4 10.20.0.1" in console.screen.value and charged == []
    assert "no time charged" in console.status.value
    _type(console, "clear")
    assert console.transcript == ""


def test_markup_is_escaped() -> None:
    console = practice_console()
    _type(console, "<script>alert(1)</script>")
    _type(console, "echo '<b>bold</b>'")
    html = console.screen.value
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_a_failing_shell_shows_a_friendly_message() -> None:
    class Broken:
        prompt = "root@x:~#"

        def run(self, line: str) -> None:
            raise RuntimeError("boom")

    console = Console(Broken())
    _type(console, "ls")
    assert "Sorry, the console hit a problem" in console.status.value
    assert "boom" not in console.status.value and "Traceback" not in console.screen.value


def test_practice_console_states() -> None:
    after = practice_console(state="B-A-A")
    assert isinstance(after, Console)
    after.run("cat /sys/class/net/bond0/bonding/active_slave")
    assert "\neth0\n" in after.transcript + "\n"
    bad = practice_console(scenario_id="no-such-scenario")
    assert not isinstance(bad, Console) and isinstance(bad, widgets.VBox)
    assert "no scenario" in bad.children[-1].value
