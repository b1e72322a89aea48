"""An independent reading of the newer incidents' tool output: parse the 802.3ad parts of
/proc/net/bonding, ``ethtool bond0``, sysfs, ``ip link`` MTUs and sized pings the way a
monitoring script would, and check them against what the host state implies, worked out here
from the scenario's facts alone (not from drillbook.host.lacp)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from drillbook.host import HostState
from drillbook.host.shell import Shell

from ._incident_hosts import STATES, state_named
from .test_host_parse import parse_ethtool

NULL_MAC = "00:00:00:00:00:00"
LACP_CASES = [("lacp-one-link", name) for name in STATES["lacp-one-link"]]
MTU_CASES = [("mtu-blackhole", name) for name in STATES["mtu-blackhole"]]


def parse_proc_8023ad(text: str) -> dict[str, Any]:
    """Master fields, the "802.3ad info" block with its Active Aggregator Info, and per slave
    its fields plus the actor/partner LACPDU details."""
    head, *blocks = text.split("\n\nSlave Interface: ")
    master_text, _, ad_text = head.partition("\n\n802.3ad info\n")
    master = dict(line.split(": ", 1) for line in master_text.splitlines()[2:])
    ad: dict[str, Any] = {"active": None}
    for line in ad_text.splitlines():
        if line.startswith("\t"):
            key, value = line[1:].split(": ", 1)
            ad["active"][key] = value
        elif line == "Active Aggregator Info:":
            ad["active"] = {}
        elif line.startswith("bond ") and line.endswith(" has no active aggregator"):
            ad["none"] = True
        else:
            key, value = line.split(": ", 1)
            ad[key] = value
    slaves = {}
    for block in blocks:
        lines = block.splitlines()
        info: dict[str, Any] = {}
        section = info
        for line in lines[1:]:
            if line in ("details actor lacp pdu:", "details partner lacp pdu:"):
                section = info[line.split()[1]] = {}
            elif line.startswith("    "):
                key, value = line[4:].split(": ", 1)
                section[key] = value
            else:
                key, value = line.split(": ", 1)
                info[key] = value
        slaves[lines[0]] = info
    return {"master": master, "ad": ad, "slaves": slaves}


def expected_lacp(state: HostState) -> dict[str, Any]:
    """What 802.3ad must conclude: a slave with link whose switch port is in the port-channel
    hears the switch's LACPDUs; those share one aggregator, the others are alone."""
    linked = {s: state.interfaces[s].carrier and state.interfaces[s].admin_up for s in state.bond.slaves}
    paired = {s: linked[s] and state.interfaces[s].lacp and state.switches[state.interfaces[s].switch].state == "up"
              for s in state.bond.slaves}
    first_paired = next((i for i, s in enumerate(state.bond.slaves, 1) if paired[s]), None)
    aggregator = {s: (first_paired if paired[s] else i) for i, s in enumerate(state.bond.slaves, 1)}
    in_use = [s for s in state.bond.slaves if paired[s]] if first_paired else \
        [next(s for s in state.bond.slaves if linked[s])] if any(linked.values()) else []
    if not state.bond.admin_up:
        in_use = []
    return {"linked": linked, "paired": paired, "aggregator": aggregator, "in_use": in_use}


@pytest.mark.parametrize("scenario_id, name", LACP_CASES, ids=[n for _, n in LACP_CASES])
def test_lacp_output_agrees_with_the_switch_side(scenario_id: str, name: str) -> None:
    state = state_named(scenario_id, name)
    shell = Shell(state)
    proc = parse_proc_8023ad(shell.run("cat /proc/net/bonding/bond0").output)
    want = expected_lacp(state)
    assert proc["master"]["Bonding Mode"] == "IEEE 802.3ad Dynamic link aggregation"
    assert proc["master"]["Transmit Hash Policy"] == "layer3+4 (1)"
    assert "Currently Active Slave" not in proc["master"]  # 802.3ad has no active slave
    assert proc["ad"]["LACP rate"] == state.bond.lacp_rate
    assert proc["ad"]["Aggregator selection policy (ad_select)"] == state.bond.ad_select
    active = proc["ad"]["active"]
    if want["in_use"]:
        assert int(active["Number of ports"]) == len(want["in_use"])
        assert int(active["Aggregator ID"]) == want["aggregator"][want["in_use"][0]]
    else:
        assert proc["ad"].get("none") and active is None
    assert list(proc["slaves"]) == state.bond.slaves
    switch_macs = {state.switches[i.switch].system_mac for i in state.interfaces.values()}
    for slave, info in proc["slaves"].items():
        partner = info["partner"]
        if want["paired"][slave]:
            assert partner["system mac address"] in switch_macs and partner["system mac address"] != NULL_MAC
            assert info["Partner Churn State"] == "none"
            assert int(info["actor"]["port state"]) & 8, "a paired port is in sync"
        else:
            assert partner["system mac address"] == NULL_MAC and partner["oper key"] == "1"
            assert partner["port state"] == "0"
            assert info["Partner Churn State"] == "churned"
            assert int(info["actor"]["port state"]) & 64, "an unpaired port runs on defaulted partner info"
        assert int(info["Aggregator ID"]) == want["aggregator"][slave]
        assert info["actor"]["system mac address"] == proc["ad"]["System MAC address"]
        assert info["actor"]["port key"] == ("15" if want["linked"][slave] else "0")  # 10 Gb/s full duplex
    bond_tool = parse_ethtool(shell.run("ethtool bond0").output)
    speed = sum(state.interfaces[s].speed_mbps for s in want["in_use"])
    assert bond_tool["Speed"] == (f"{speed}Mb/s" if speed else "Unknown!")
    sysfs = shell.run("cat /sys/class/net/bond0/bonding/ad_num_ports").output
    assert sysfs == str(len(want["in_use"]))  # 0 without an active aggregator (bond_sysfs.c)


def test_the_incident_is_visible_only_in_the_lacp_details() -> None:
    """Before the fix: both links up everywhere, yet one port in an aggregator of its own."""
    state = state_named("lacp-one-link", "start")
    shell = Shell(state)
    assert "LOWER_UP" in shell.run("ip -br link show eth1").output
    assert "lacp" not in shell.run("dmesg").output.lower()
    proc = parse_proc_8023ad(shell.run("cat /proc/net/bonding/bond0").output)
    assert {s: i["Aggregator ID"] for s, i in proc["slaves"].items()} == {"eth0": "1", "eth1": "2"}
    fixed = parse_proc_8023ad(Shell(state_named("lacp-one-link", "after-B-A-A")).run("cat /proc/net/bonding/bond0").output)
    assert {s: i["Aggregator ID"] for s, i in fixed["slaves"].items()} == {"eth0": "1", "eth1": "1"}
    assert fixed["ad"]["active"]["Number of ports"] == "2"


PING_STATS = re.compile(r"^(\d+) packets transmitted, (\d+) received(?:, \+(\d+) errors)?, (\d+)% packet loss, time \d+ms$", re.M)


def parse_ping(text: str) -> dict[str, Any]:
    header = re.match(r"^PING (\S+) \((\S+)\) (\d+)\((\d+)\) bytes of data\.$", text.splitlines()[0])
    assert header, text
    stats = PING_STATS.search(text)
    assert stats, text
    replies = re.findall(r"^(\d+) bytes from \S+: icmp_seq=\d+ ttl=64 time=[\d.]+ ms$", text, re.M)
    errors = re.findall(r"^ping: local error: message too long, mtu=(\d+)$", text, re.M)
    return {"size": int(header[3]), "packet": int(header[4]), "sent": int(stats[1]), "received": int(stats[2]),
            "errors": int(stats[3] or 0), "replies": [int(r) for r in replies], "local_mtu": set(errors)}


def parse_mtus(text: str) -> dict[str, int]:
    return {m[1]: int(m[2]) for m in re.finditer(r"^\d+: (\S+): <[^>]*> mtu (\d+) ", text, re.M)}


@pytest.mark.parametrize("scenario_id, name", MTU_CASES, ids=[n for _, n in MTU_CASES])
@pytest.mark.parametrize("flags", ["-M do -s 8972", "-M do -s 1472", "-s 8972", "-M do -s 1473", ""])
def test_sized_pings_agree_with_the_mtus_on_the_path(scenario_id: str, name: str, flags: str) -> None:
    state = state_named(scenario_id, name)
    shell = Shell(state)
    mtus = parse_mtus(shell.run("ip link").output)
    assert mtus["bond0"] == mtus["eth0"] == mtus["eth1"] == state.bond.mtu and mtus["lo"] == 65536
    active = parse_proc_active(shell.run("cat /proc/net/bonding/bond0").output)
    size = int(flags.split()[-1]) if flags else 56
    ping = parse_ping(shell.run(f"ping {flags} -c 3 10.30.0.21".replace("  ", " ")).output)
    assert (ping["size"], ping["packet"], ping["sent"]) == (size, size + 28, 3)
    switch_mtu = state.switches[state.interfaces[active].switch].mtu
    on_wire = min(size + 28, state.bond.mtu)  # without DF the kernel fragments to the bond's MTU
    if "-M do" in flags and size + 28 > state.bond.mtu:
        assert ping["local_mtu"] == {str(state.bond.mtu)} and ping["errors"] == 3 and ping["received"] == 0
    elif on_wire > switch_mtu:
        assert ping["received"] == 0 and ping["errors"] == 0 and not ping["local_mtu"]  # silent: a black hole
    else:
        assert ping["received"] == 3 and ping["replies"] == [size + 8] * 3


def parse_proc_active(text: str) -> str:
    match = re.search(r"^Currently Active Slave: (\S+)$", text, re.M)
    assert match
    return match[1]


def test_route_get_never_learns_a_path_mtu_from_a_layer2_drop() -> None:
    shell = Shell(state_named("mtu-blackhole", "start"))
    shell.run("ping -M do -s 8972 -c 4 10.30.0.21")
    route = shell.run("ip route get 10.30.0.21").output
    lines = route.split("\n")
    assert lines[0].split() == ["10.30.0.21", "dev", "bond0", "src", "10.30.0.23", "uid", "0"]
    assert lines[1].strip() == "cache" and "mtu" not in route
    off_link = shell.run("ip route get 192.0.2.10").output.split("\n")[0].split()
    assert off_link[:4] == ["192.0.2.10", "via", "10.30.0.1", "dev"]
