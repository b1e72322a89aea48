"""Shared helpers for the host tests: the seed's significant host states, built like a learner
would reach them (through the engine), and the commands the golden files cover."""

from __future__ import annotations

from functools import lru_cache

from drillbook.engine import Engine
from drillbook.host import HostState, host_after, host_for
from drillbook.host.shell import Shell
from drillbook.scenario import Scenario, find_scenario, load_scenario

#: state name -> (replay keys taken, console lines run afterwards)
STATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "start": ("", ()),
    "after-B": ("B", ()),
    "after-B-A": ("B-A", ()),
    "after-B-A-A": ("B-A-A", ()),
    "wrong-R1-D": ("D", ()),
    "wrong-R2-B": ("B-B", ()),
    "wrong-R2-C": ("B-C", ()),
    "wrong-R3-B": ("B-A-B", ()),
    "wrong-R3-C": ("B-A-C", ()),
    "wrong-R3-D": ("B-A-D", ()),
    "remediation-ifdown-eth0": ("B-A-A", ("ifdown eth0",)),
}

COMMANDS = (
    "cat /proc/net/bonding/bond0",
    "ethtool eth0",
    "ethtool eth1",
    "ethtool -i eth0",
    "ethtool -i eth1",
    "dmesg",
    "dmesg | grep eth1",
    "ip link",
    "ip link show eth0",
    "ip -br link",
    "ip addr show bond0",
    "ip a",
    "ip -br addr",
    "ping -c 4 10.20.0.1",
    "date",
    "uptime",
    "uname -r",
    "hostname",
    "cat /sys/class/net/bond0/bonding/mode",
    "cat /sys/class/net/bond0/bonding/active_slave",
    "cat /sys/class/net/bond0/bonding/slaves",
    "cat /sys/class/net/bond0/bonding/mii_status",
    "cat /sys/class/net/bond0/bonding/miimon",
)


@lru_cache(maxsize=1)
def scenario() -> Scenario:
    return load_scenario(find_scenario("bond-failover"))


def state_named(name: str) -> HostState:
    """A fresh copy of the host in one of :data:`STATES` (right after the last choice)."""
    code, lines = STATES[name]
    return host_at(scenario(), code, lines)


def host_at(scenario: Scenario, code: str, lines: tuple[str, ...] = ()) -> HostState:
    """The host right after replay ``code``'s last choice, then ``lines`` typed on its console."""
    engine = Engine(scenario)
    outcome = None
    for group in code.split("-") if code else []:
        for key in group:
            outcome = engine.choose(key)
    state = host_for(engine) if outcome is None else host_after(engine, outcome)
    assert state is not None
    shell = Shell(state)
    for line in lines:
        shell.run(line)
    return state


def run_fresh(name: str, command: str) -> str:
    """``command``'s output on a fresh copy of state ``name`` (so outputs do not depend on order)."""
    return Shell(state_named(name)).run(command).output


def test_each_significant_state_is_a_different_host() -> None:
    """The golden states must differ, or a broken effect would go unnoticed."""
    seen = {name: run_fresh(name, "cat /proc/net/bonding/bond0") + run_fresh(name, "ip -br link") for name in STATES}
    # start/B/B-A share a host (those choices only look); R1-D and R2-B share the same effects
    assert len(set(seen.values())) == 8
    assert seen["start"] == seen["after-B-A"] and seen["wrong-R1-D"] == seen["wrong-R2-B"]


def test_state_after_a_stay_choice_shows_its_effects_but_the_engine_rewinds() -> None:
    engine = Engine(scenario())
    outcome = engine.choose("D")  # reboot: bond comes up on eth1, but the round stays
    after = host_after(engine, outcome)
    assert after is not None and after.bond.active_slave == "eth1"
    assert host_for(engine).bond.active_slave is None  # a retry rewinds the host
