"""An independent reading of the rendered tool output: parse /proc/net/bonding and ethtool the
way a monitoring script would, and check they agree with the host state in every seed state."""

from __future__ import annotations

import re

import pytest

from drillbook.host.shell import Shell
from drillbook.host.status import monitor_sees_up, monitoring

from .test_host_states import STATES, state_named


def parse_proc(text: str) -> dict:
    head, *blocks = text.split("\n\nSlave Interface: ")
    top = dict(line.split(": ", 1) for line in head.splitlines()[2:] if ": " in line)
    slaves = {}
    for block in blocks:
        lines = block.splitlines()
        slaves[lines[0]] = dict(line.split(": ", 1) for line in lines[1:])
    return {"top": top, "slaves": slaves}


def parse_ethtool(text: str) -> dict:
    assert text.startswith("Settings for ")
    fields = {}
    for line in text.splitlines()[1:]:
        if line.startswith("\t"):
            key, _, value = line[1:].partition(": ")
            fields[key] = value
        else:
            assert line.startswith("        Current message level") or line.startswith(" " * 31), repr(line)
    return fields


def parse_driver(text: str) -> dict:
    return dict(line.split(": ", 1) for line in text.splitlines())


@pytest.mark.parametrize("name", sorted(STATES))
def test_tools_agree_with_host_state(name: str) -> None:
    state = state_named(name)
    shell = Shell(state)
    proc = parse_proc(shell.run("cat /proc/net/bonding/bond0").output)
    bond = state.bond
    assert proc["top"]["Bonding Mode"] == "fault-tolerance (active-backup)"
    assert proc["top"]["Currently Active Slave"] == (bond.active_slave or "None")
    assert proc["top"]["MII Polling Interval (ms)"] == str(bond.miimon)
    assert list(proc["slaves"]) == bond.slaves
    for slave, info in proc["slaves"].items():
        iface = state.interfaces[slave]
        # with no link monitor the kernel's last verdict stands (R3-C switches miimon off)
        seen = monitor_sees_up(state, iface) if monitoring(state) else state.kernel.slave_up[slave]
        assert info["MII Status"] == ("up" if seen else "down"), slave
        assert info["Link Failure Count"] == str(iface.link_failure_count)
        assert info["Permanent HW addr"] == iface.mac
        link = iface.carrier and iface.admin_up
        assert info["Speed"] == (f"{iface.speed_mbps} Mbps" if link else "Unknown")
        tool = parse_ethtool(shell.run(f"ethtool {slave}").output)
        assert tool["Link detected"] == ("yes" if link else "no")
        assert tool["Speed"] == (f"{iface.speed_mbps}Mb/s" if link else "Unknown!")
        driver = parse_driver(shell.run(f"ethtool -i {slave}").output)
        assert driver["firmware-version"] == iface.firmware
        assert driver["bus-info"] == iface.bus_info
        assert driver["version"] == state.kernel_release
    sysfs = shell.run("cat /sys/class/net/bond0/bonding/active_slave").output
    assert sysfs == (bond.active_slave or "")


def test_proc_header_and_slave_blocks_have_the_kernel_layout() -> None:
    text = Shell(state_named("after-B-A-A")).run("cat /proc/net/bonding/bond0").output
    lines = text.split("\n")
    assert lines[0] == "Ethernet Channel Bonding Driver: v6.8.0-51-generic" and lines[1] == ""
    assert text.count("\n\nSlave Interface: ") == 2 and not text.endswith("\n")
    assert re.search(r"^Primary Slave: eth0 \(primary_reselect always\)$", text, re.M)
