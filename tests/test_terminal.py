"""``drillbook console``: the practice console in a terminal, driven as a real process."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from typing import Any

import pytest

from drillbook import terminal
from drillbook.console_text import MAX_OUTPUT
from drillbook.engine import Engine
from drillbook.host import host_after
from drillbook.host.shell import Shell

from .test_host_states import scenario

COMMAND = [sys.executable, "-m", "drillbook", "console", "bond-failover"]


def run(args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(COMMAND + args, input=stdin, capture_output=True, text=True, timeout=180,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


def test_piped_commands_print_what_the_learner_sees_at_the_replay_state() -> None:
    done = run(["--at", "B-A-C"], "cat /proc/net/bonding/bond0\nping -c 4 10.20.0.1\n\nhistory\nexit\ndate\n")
    assert done.returncode == 0 and done.stderr == ""
    engine = Engine(scenario())
    engine.replay("B-A")
    state = host_after(engine, engine.choose("C"))
    assert state is not None
    expected_proc = Shell(state).run("cat /proc/net/bonding/bond0").output
    out = done.stdout
    assert out.startswith("[03:31 UTC] root@db-primary-01:~# cat /proc/net/bonding/bond0\n" + expected_proc +
                          "\n(+1 min, simulated clock 03:32 UTC)\n")
    assert "[03:32 UTC] root@db-primary-01:~# ping -c 4 10.20.0.1\n" in out
    assert "4 packets transmitted, 0 received, 100% packet loss" in out
    assert "    1  cat /proc/net/bonding/bond0\n    2  ping -c 4 10.20.0.1\n    3  history\n(no time charged, " in out
    assert out.endswith("root@db-primary-01:~# exit\nlogout\n")  # exit leaves: `date` never runs
    assert "Wed Nov 19" not in out


def test_start_is_the_moment_the_alert_fires() -> None:
    done = run([], "date\n")
    assert done.stdout == ("[03:22 UTC] root@db-primary-01:~# date\nWed Nov 19 03:22:00 UTC 2025\n"
                           "(+1 min, simulated clock 03:23 UTC)\n")


@pytest.mark.parametrize(("code", "message"), [
    ("Z", "drillbook: 'Z' is not a replay code: use the letters A-D for each round"),
    ("B-A-AA", "drillbook: replay code 'B-A-AA': choice A comes after round 3 was already left"),
])
def test_a_wrong_code_is_one_line_and_an_exit_status(code: str, message: str) -> None:
    done = run(["--at", code], "date\n")
    assert done.returncode != 0 and done.stdout == ""
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1


def test_the_console_shell_limits_and_messages_are_the_widgets() -> None:
    """Same shell, same cut, same cost line as the notebook widget."""
    from drillbook.ui.console import Console

    class Loud:
        prompt = "root@h:~#"
        now = None

        def run(self, line: str) -> Any:
            return type("R", (), {"command": line, "output": "x" * (MAX_OUTPUT + 10), "minutes": 1,
                                  "now": None, "clear": False})()

    text, _ = terminal.run_line(Loud(), "cat big")
    widget = Console(Loud())
    widget.run("cat big")
    assert text.split("\n")[:2] == widget.transcript.split("\n")[1:3]
    assert text.endswith("… (output cut)\n(+1 min, simulated clock)")
    assert widget.status.value.endswith("(+1 min, simulated clock)</span>")


def test_keyboard_session_in_a_pseudo_terminal() -> None:
    """A real tty (pty): banner, the clock in the prompt, Ctrl-D leaves."""
    pty = pytest.importorskip("pty")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console on the pty
        os.environ["PYTHONWARNINGS"] = "ignore"
        os.execv(sys.executable, COMMAND)
    seen = b""

    def read_until(marker: bytes, timeout: float = 120.0) -> bytes:
        nonlocal seen
        end = time.monotonic() + timeout
        while marker not in seen and time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        return seen

    try:
        assert b"root@db-primary-01:~# " in read_until(b"root@db-primary-01:~# ")
        assert b"drillbook practice console: Network Bonding Failover Not Working" in seen
        assert b"[03:22 UTC] root@db-primary-01:~# " in seen
        os.write(fd, b"uname -r\n")
        assert b"6.8.0-51-generic" in read_until(b"[03:23 UTC] root@db-primary-01:~# ")
        assert b"(+1 min, simulated clock 03:23 UTC)" in seen
        os.write(fd, b"\x04")  # Ctrl-D
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)


def test_ctrl_c_drops_the_line_at_the_keyboard_and_ends_a_piped_run() -> None:
    from drillbook.host import shell_for

    shell = shell_for(Engine(scenario()))
    events: list[object] = [KeyboardInterrupt(), "date", EOFError()]

    def read(_prompt: str) -> str:
        event = events.pop(0)
        if isinstance(event, BaseException):
            raise event
        return str(event)

    written: list[str] = []
    assert terminal.session(shell, read, written.append, echo=False, clear_screen=True) == 0
    assert written[0] == "\n" and written[1].startswith("Wed Nov 19 03:22:00 UTC 2025\n(+1 min")
    events[:] = [KeyboardInterrupt(), "date"]
    assert terminal.session(shell, read, written.append, echo=True, clear_screen=False) == 130
