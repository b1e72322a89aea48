"""The practice console's limits: a line can freeze nothing, build no unbounded output and charge
no unbounded simulated time, and the learner is told which limit stopped it. Then a property
test over arbitrary input."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drillbook.host._templates import catalogue
from drillbook.host.commands import joined
from drillbook.host.limits import DEFAULT_LIMITS, Budget, LimitReached, Limits, limit_message
from drillbook.host.shell import MAX_SHOWN, Shell

from .test_host_states import state_named
from .test_shell import _FRAGMENTS

LIMITS = DEFAULT_LIMITS


@pytest.fixture()
def shell() -> Shell:
    return Shell(state_named("start"))


@pytest.mark.timeout(60)  # without the grep time limit this line backtracks for hours
def test_backtracking_grep_pattern_is_stopped_with_a_message(shell: Shell) -> None:
    result = shell.run("echo " + "a" * 2000 + " | grep 'a*a*a*a*a*a*a*a*[bc]'")
    assert result.limit == "grep_time"
    assert result.output == limit_message("grep_time", LIMITS.grep_ms)
    assert "250 ms" in result.output
    # the console still answers afterwards, with a fresh allowance for the next line
    assert shell.run("echo aab | grep 'a*b'").output == "aab"


@pytest.mark.timeout(60)  # the issue's report: 126 s with Python's re
def test_issue_pattern_answers_like_grep(shell: Shell) -> None:
    result = shell.run("echo " + "a" * 200 + " | grep 'a*a*a*a*a*b'")
    assert (result.output, result.status, result.limit) == ("", 1, None)


def test_input_longer_than_the_limit_runs_nothing(shell: Shell) -> None:
    before = shell.state.kernel.uptime_s if shell.state.kernel else None
    result = shell.run("sleep 1;" * (LIMITS.input_chars // 8 + 1))
    assert result.limit == "input"
    assert result.output == "drillbook: input limit hit: at most 10,000 characters can be run at once (nothing was run)"
    assert result.minutes == 0 and len(result.command) <= MAX_SHOWN + 1
    assert (shell.state.kernel.uptime_s if shell.state.kernel else None) == before
    assert len(shell.run("x" * LIMITS.input_chars).output) < 200  # at the limit it still runs


def test_commands_per_input_are_capped(shell: Shell) -> None:
    result = shell.run("hostname;" * (LIMITS.commands + 5))
    assert result.limit == "commands"
    lines = result.output.split("\n")
    assert lines[:-1] == ["db-primary-01"] * LIMITS.commands
    assert lines[-1] == limit_message("commands", LIMITS.commands)
    # pipeline stages count too
    piped = shell.run("dmesg" + " | head -100" * LIMITS.commands)
    assert piped.limit == "commands"


def test_pasted_lines_are_capped_and_the_echo_is_cut(shell: Shell) -> None:
    result = shell.run("# a comment line\n" * 500)
    assert result.limit == "lines"
    assert result.output == limit_message("lines", LIMITS.lines)
    assert result.command.count("\n") == LIMITS.lines - 1
    assert len(shell.history) == LIMITS.lines


def test_history_is_bounded_like_bash_histsize(shell: Shell) -> None:
    for i in range(LIMITS.history + 50):
        shell.run(f"echo {i}")
    assert len(shell.history) == LIMITS.history
    assert shell.history[-1] == f"echo {LIMITS.history + 49}"


def test_output_is_capped_before_it_is_built(shell: Shell) -> None:
    for _ in range(60):
        shell.run("echo " + "y" * 990)
    result = shell.run("history; " * 19)
    assert result.limit == "output"
    assert len(result.output) <= LIMITS.output_chars + 200
    assert result.output.endswith(limit_message("output", LIMITS.output_chars))
    # the joiner stops an endless producer as soon as it outgrows the budget: nothing unbounded is built
    with pytest.raises(LimitReached) as stop:
        joined(Budget(), itertools.repeat("z" * 100))
    assert stop.value.key == "output"


def test_minutes_one_input_can_charge_are_capped(shell: Shell) -> None:
    assert shell.state.kernel is not None
    before = shell.state.kernel.uptime_s
    result = shell.run("sleep 600;" * 200)
    assert result.limit == "minutes"
    assert result.minutes == LIMITS.minutes
    assert result.output == limit_message("minutes", LIMITS.minutes)
    # the host clock moved exactly as far as the minutes charged: nothing ran past the limit
    assert shell.state.kernel.uptime_s - before == LIMITS.minutes * 60
    # one paste of many lines shares the same allowance
    assert shell.run("sleep 600\n" * 10).minutes == LIMITS.minutes


def test_minutes_limit_never_blocks_a_single_command() -> None:
    shell = Shell(state_named("start"), limits=Limits(minutes=0))
    result = shell.run("hostname")
    assert result.minutes == shell.state.console_minutes and result.limit is None
    assert shell.run("hostname; hostname").minutes == shell.state.console_minutes  # one line, one charge
    assert shell.run("hostname\nhostname").output.endswith(limit_message("minutes", shell.state.console_minutes))


def test_each_limit_has_a_message_naming_it() -> None:
    messages = catalogue("limits")
    assert set(messages) == {"input", "lines", "commands", "output", "minutes", "grep_time"}
    for key in messages:
        text = limit_message(key, 12345)
        assert text.startswith("drillbook: ") and "limit hit" in text and "12" in text and "\n" not in text


# -- property: any input ---------------------------------------------------------------------------

_LINES = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(["sleep 600", "history", "dmesg", "ping -c 100 10.20.0.1", "ifdown eth0",
                              "ifup eth0", "echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "help",
                              "grep 'a*a*a*a*a*a*a*a*[bc]'", "systemctl restart networking"]),
             max_size=60).flatmap(lambda words: st.sampled_from([";", " | ", "\n", " && "]).map(
                 lambda sep: sep.join(words))),
    st.integers(min_value=LIMITS.input_chars - 5, max_value=LIMITS.input_chars + 5).map(lambda n: "h" * n),
)


@settings(max_examples=150, deadline=dt.timedelta(seconds=10),  # a hang guard, not a speed test
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINES, min_size=1, max_size=4))
def test_any_input_is_answered_within_the_limits(lines: list[str]) -> None:
    shell = Shell(state_named("after-B-A-A"))
    kernel = shell.state.kernel
    assert kernel is not None
    for line in lines:
        before = kernel.uptime_s
        result = shell.run(line)
        assert "could not run this line" not in result.output, (line, result.output)
        assert 0 <= result.minutes <= max(LIMITS.minutes, shell.state.console_minutes)
        assert kernel.uptime_s - before == pytest.approx(result.minutes * 60)
        assert len(result.output) <= LIMITS.output_chars + 200 * (LIMITS.lines + 1)
        assert len(result.command) <= (MAX_SHOWN + 2) * LIMITS.lines
        assert len(shell.history) <= LIMITS.history
