"""The newer incidents' significant host states, reached through the engine as a learner
would, and the console commands their golden files cover (shared by the golden and the
independent-parser tests)."""

from __future__ import annotations

from functools import lru_cache

from drillbook.host import HostState
from drillbook.host.shell import Shell
from drillbook.scenario import Scenario, find_scenario, load_scenario

from .test_host_states import host_at

#: scenario -> state name -> (replay keys taken, console lines run afterwards)
STATES: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "lacp-one-link": {
        "start": ("", ()),
        "wrong-R2-C": ("B-C", ()),
        "wrong-R2-D": ("B-D", ()),
        "wrong-R3-C": ("B-A-C", ()),
        "after-B-A-A": ("B-A-A", ()),
        "remediation-ifdown-eth1": ("B-A-A", ("ifdown eth1",)),
        "remediation-ifdown-both": ("B-A-A", ("ifdown eth0", "ifdown eth1")),
    },
    "mtu-blackhole": {
        "start": ("", ()),
        "wrong-R2-B": ("B-B", ()),
        "wrong-R2-C": ("B-C", ()),
        "wrong-R3-D": ("B-A-D", ()),
        "after-B-A-A": ("B-A-A", ()),
        "remediation-ifdown-eth0": ("B-A-A", ("ifdown eth0",)),
        "remediation-mtu-1500": ("B-A-A", ("ip link set bond0 mtu 1500",)),
    },
}

COMMANDS: dict[str, tuple[str, ...]] = {
    "lacp-one-link": (
        "cat /proc/net/bonding/bond0",
        "ethtool bond0",
        "ethtool eth1",
        "dmesg",
        "ip -br link",
        "ip link show bond0",
        "cat /sys/class/net/bond0/bonding/mode",
        "cat /sys/class/net/bond0/bonding/ad_num_ports",
        "cat /sys/class/net/bond0/bonding/ad_aggregator",
        "cat /sys/class/net/bond0/bonding/ad_partner_mac",
        "cat /sys/class/net/bond0/bonding/lacp_rate",
        "cat /sys/class/net/bond0/bonding/xmit_hash_policy",
        "ping -c 4 10.40.0.1",
    ),
    "mtu-blackhole": (
        "ip link",
        "ip -br link",
        "ping -c 4 10.30.0.21",
        "ping -M do -s 8972 -c 4 10.30.0.21",
        "ping -M do -s 1472 -c 2 10.30.0.21",
        "ping -s 8972 -c 2 10.30.0.21",
        "ip route get 10.30.0.21",
        "ip route get 192.0.2.10",
        "cat /proc/net/bonding/bond0",
        "dmesg",
    ),
}

CASES = [(scenario_id, name) for scenario_id, states in STATES.items() for name in states]


@lru_cache(maxsize=None)
def scenario(scenario_id: str) -> Scenario:
    return load_scenario(find_scenario(scenario_id))


def state_named(scenario_id: str, name: str) -> HostState:
    """A fresh copy of the host in one of :data:`STATES` (right after the last choice)."""
    code, lines = STATES[scenario_id][name]
    return host_at(scenario(scenario_id), code, lines)


def transcript(scenario_id: str, name: str) -> str:
    """Every command of :data:`COMMANDS`, each on a fresh copy of the state."""
    return "\n".join(f"$ {command}\n{Shell(state_named(scenario_id, name)).run(command).output}\n"
                     for command in COMMANDS[scenario_id])
