"""The practice shell: the supported shell subset, polite refusals, and a fuzz that proves no
input escapes as an exception or starts a real process."""

from __future__ import annotations

import builtins
import os
import random
import subprocess

import pytest

from drillbook.host.shell import Shell

from .test_host_states import state_named


@pytest.fixture()
def shell() -> Shell:
    return Shell(state_named("start"))


@pytest.mark.parametrize("line, expected", [
    ("echo $(id)", "drillbook: command substitution $(…) is not supported in this practice console"),
    ("echo `id`", "drillbook: command substitution with backticks is not supported in this practice console"),
    ("dmesg > /tmp/x", "drillbook: redirection (<, >) is not supported in this practice console"),
    ("echo $HOME", "drillbook: shell variables ($NAME) is not supported in this practice console"),
    ("false || true", "drillbook: || (or-lists) is not supported in this practice console"),
    ("(dmesg)", "drillbook: a subshell ( … ) is not supported in this practice console"),
    ("sleep 1 &", "drillbook: running commands in the background (&) is not supported in this practice console"),
    ("foo", "bash: foo: command not found"),
    ("&& ls", "bash: syntax error near unexpected token `&&'"),
    ("dmesg |", "bash: syntax error near unexpected token `newline'"),
    ("rm -rf /", "rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe"),
])
def test_messages(shell: Shell, line: str, expected: str) -> None:
    result = shell.run(line)
    assert result.output == expected
    assert result.minutes == 0


def test_pipes_and_lists(shell: Shell) -> None:
    assert shell.run("cat /proc/net/bonding/bond0 | grep -i 'currently active'").output == "Currently Active Slave: None"
    assert shell.run("dmesg | grep -c bond0").output == "7"
    assert shell.run("sudo ethtool eth1 | grep Link").output == "\tLink detected: yes"
    assert shell.run("false && hostname ; hostname").output == "db-primary-01"
    assert shell.run('grep "MII Status" /proc/net/bonding/bond0 | wc -l').output == "3"
    assert shell.run("dmesg | grep -E 'eth[01]: NIC' | head -n 1").output.endswith("eth0: NIC Link is Up 10 Gbps, Flow Control: RX/TX")
    assert shell.run("ip -br link | grep -v SLAVE | tail -1").output.startswith("bond0 ")


def test_dangerous_commands_change_nothing(shell: Shell) -> None:
    before = shell.run("cat /proc/net/bonding/bond0").output
    for line in ("reboot", "shutdown -h now", "mkfs.ext4 /dev/sda1", "dd if=/dev/zero of=/dev/sda",
                 ":(){ :|:& };:", "sudo rm -rf --no-preserve-root /", "halt", "kill -9 1"):
        result = shell.run(line)
        assert result.output and result.minutes == 0, line
    assert shell.run("cat /proc/net/bonding/bond0").output == before


def test_history_help_clear(shell: Shell) -> None:
    shell.run("hostname")
    shell.run("uname -r")
    assert shell.run("history").output == "    1  hostname\n    2  uname -r\n    3  history"
    assert "cat /proc/net/bonding/bond0" in shell.run("help").output
    result = shell.run("clear")
    assert result.clear and result.minutes == 0
    assert shell.prompt == "root@db-primary-01:~#"


def test_long_unicode_and_control_input(shell: Shell) -> None:
    result = shell.run("x" * 10_000)
    assert result.output.startswith("bash: xxx") and result.output.endswith("…: command not found")
    assert len(result.output) < 200
    assert shell.run("ls\x1b[31m").output == "bash: ls^[[31m: command not found"
    assert shell.run("ethtool ёth1").output.startswith("netlink error")
    assert shell.run("").output == "" and shell.run("   ").minutes == 0
    assert shell.run("hostname\nuname -r").output == "db-primary-01\n6.8.0-51-generic"


_FRAGMENTS = [
    "cat", "/proc/net/bonding/bond0", "ethtool", "-i", "eth0", "eth1", "bond0", "dmesg", "grep", "-i", "-E", "-v",
    "ip", "link", "addr", "-br", "set", "down", "up", "ifdown", "ifup", "ping", "-c", "4", "10.20.0.1", "sleep",
    "sudo", "systemctl", "restart", "networking", "date", "uptime", "history", "help", "clear", "head", "tail",
    "wc", "-l", "|", "||", "&&", "&", ";", ";;", ">", ">>", "<", "<<", "$(", ")", "(", "`", "$HOME", "${x}", "'",
    '"', "\\", "*", "?", "[", "]", "{", "}", "~", "!", "#", "=", "x=1", ":(){ :|:& };:", "rm -rf /", "reboot",
    "dd", "mkfs", "\x00", "\x1b", "\x07", "\t", "\r", "\n", "ü", "日本", "🔥", "\u202e", "(a*)*", "( *)*x",
    "[[:digit:]]", "\\(", "eth[", "a{1000}", "-e", "", " ",
]


def _random_line(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.03:
        return rng.choice(["x", "a b", "|", "$(", "'"]) * rng.randint(2000, 10_000)
    if kind < 0.08:
        return "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(0, 60)))
    return " ".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(0, 9)))


def test_fuzz_never_raises_and_never_starts_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the practice shell tried to run something real")

    monkeypatch.setattr(subprocess, "Popen", forbidden)
    for name in ("system", "popen", "execv", "execve", "execvp", "execvpe", "execl", "execlp", "execle",
                 "execlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "spawnl", "spawnle", "posix_spawn",
                 "posix_spawnp", "fork"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, forbidden)
    shell = Shell(state_named("after-B-A-A"))
    # eval/exec are only forbidden while the shell runs (pytest itself needs them)
    real_eval, real_exec = builtins.eval, builtins.exec
    rng = random.Random(20251119)
    lines = [_random_line(rng) for _ in range(1500)]
    results = []
    try:
        builtins.eval, builtins.exec = forbidden, forbidden  # type: ignore[assignment]
        for line in lines:
            results.append(shell.run(line))
    finally:
        builtins.eval, builtins.exec = real_eval, real_exec
    for line, result in zip(lines, results):
        assert isinstance(result.output, str), line
        assert "Traceback" not in result.output
        assert "could not run this line" not in result.output, (line, result.output)
        assert result.minutes >= 0
    assert sum(1 for r in results if "not supported in this practice console" in r.output) > 50
    assert any("command not found" in r.output for r in results)


def test_a_template_bug_is_not_mistaken_for_the_tools_own_error(shell: Shell, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tool complaints travel as ToolError; a KeyError (a template missing a field) is a bug and
    must surface as the console's bug message, not as if ethtool had printed it."""
    from drillbook.host import render_net

    assert shell.run("ethtool -i eth9").output == "Cannot get driver information: No such device"

    def broken(state: object, dev: str) -> str:
        raise KeyError("driver")

    monkeypatch.setattr(render_net, "ethtool_driver", broken)
    result = shell.run("ethtool -i eth1")
    assert result.output == "drillbook: the console could not run this line (KeyError)"
