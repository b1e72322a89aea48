"""Issue 15: the host only reaches states a real kernel would, in the order a real kernel logs them.

Each test pins one fix; sources for every message are in docs/accuracy.md.
"""

from __future__ import annotations

import re

import pytest

from drillbook.engine import Engine
from drillbook.host import HostState, host_after, kernel, reveal, shell_for
from drillbook.host.shell import Shell
from drillbook.host.status import bond_carrier
from drillbook.replay_codes import all_codes
from drillbook.scenario import find_scenario, load_scenario

from .test_host_states import scenario, state_named

STAMP = re.compile(r"^\[ *\d+\.\d{6}\] ")


def messages(shell: Shell, command: str = "dmesg") -> list[str]:
    return [STAMP.sub("", line) for line in shell.run(command).output.splitlines()]


def before(lines: list[str], first: str, second: str) -> bool:
    return lines.index(first) < lines.index(second)


# -- 1. forcing eth1 active ----------------------------------------------------------------------

def test_forcing_a_down_slave_active_is_refused_by_the_kernel() -> None:
    shell = Shell(state_named("start"))
    assert shell.run("ip link set bond0 type bond active_slave eth1").output == "Error: invalid option value."
    assert messages(shell, "dmesg | tail -n 2") == [
        "bond0: (slave eth1): Could not set as active slave; either eth1 is down or the link is down",
        "bond0: option active_slave: invalid value (eth1)",
    ]
    assert "Currently Active Slave: None\nMII Status: down" in shell.run("cat /proc/net/bonding/bond0").output


def test_r3c_is_a_sequence_a_real_host_allows_and_ends_in_packet_loss() -> None:
    shell = Shell(state_named("wrong-R3-C"))
    log = messages(shell)
    refused = "bond0: (slave eth1): Could not set as active slave; either eth1 is down or the link is down"
    i = log.index(refused)
    assert log[i + 1:i + 5] == [
        "bond0: option active_slave: invalid value (eth1)",
        "bond0: (slave eth1): Releasing backup interface",
        "bond0: (slave eth1): making interface the new active one",
        "bond0: (slave eth1): Enslaving as an active interface with an up link",
    ]
    proc = shell.run("cat /proc/net/bonding/bond0").output
    assert "MII Polling Interval (ms): 0\n" in proc  # monitoring switched off: nothing will notice
    assert "Currently Active Slave: eth1\nMII Status: up" in proc
    assert "Slave Interface: eth1\nMII Status: up" in proc
    assert "4 packets transmitted, 0 received, 100% packet loss" in shell.run("ping -c 4 10.20.0.1").output


def _kernel_invariants(state: HostState, where: str) -> None:
    assert state.kernel is not None
    bond = state.bond
    if bond.active_slave is not None:
        assert state.kernel.slave_up[bond.active_slave], f"{where}: active slave with its link down"
    if bond.admin_up:
        assert bond_carrier(state) == any(state.kernel.slave_up[s] for s in bond.slaves), where


@pytest.mark.parametrize("scenario_id", ["bond-failover", "lacp-one-link", "mtu-blackhole"])
def test_no_path_reaches_an_active_slave_with_link_down_or_carrier_without_a_slave(scenario_id: str) -> None:
    """Every choice of every path of every incident, right after it: the kernel's invariants hold."""
    sc = load_scenario(find_scenario(scenario_id))
    seen: set[str] = set()
    for code in all_codes(sc):
        engine = Engine(sc)
        prefix = ""
        for group in code.split("-"):
            prefix += "-"
            for key in group:
                prefix += key
                outcome = engine.choose(key)
                if prefix in seen:
                    continue
                seen.add(prefix)
                state = host_after(engine, outcome)
                assert state is not None
                _kernel_invariants(state, f"{code} at {outcome.round.id}/{key}")


# -- 2. reboot and NIC swap -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["wrong-R1-D", "wrong-R3-B"])
def test_a_reboot_restarts_uptime_log_and_counters(name: str) -> None:
    shell = Shell(state_named(name))
    assert re.fullmatch(r" \d\d:\d\d:\d\d up [0-9]+ min,  1 user,  load average: .*", shell.run("uptime").output)
    log = shell.run("dmesg").output.splitlines()
    assert log[0].startswith("[    0.000000] Linux version 6.8.0-51-generic ")
    assert all(float(STAMP.match(line).group(0)[1:-2]) < 600 for line in log)  # nothing from the old boot
    assert "now running without any active interface" not in shell.run("journalctl -k").output
    proc = shell.run("cat /proc/net/bonding/bond0").output
    assert proc.count("Link Failure Count: 0") == 2
    assert "Currently Active Slave: eth1" in proc


def test_a_swapped_nic_has_its_own_permanent_mac() -> None:
    old = Shell(state_named("start"))
    new = Shell(state_named("wrong-R3-B"))
    assert "Permanent HW addr: 90:e2:ba:7d:22:b4" in old.run("cat /proc/net/bonding/bond0").output
    proc = new.run("cat /proc/net/bonding/bond0").output
    assert "Slave Interface: eth1\n" in proc and "Permanent HW addr: 90:e2:ba:5e:31:c8" in proc
    assert "permaddr 90:e2:ba:5e:31:c8" in new.run("ip link show eth1").output
    assert "ixgbe 0000:d8:00.0: 90:e2:ba:5e:31:c8" in messages(new)


# -- 3. firmware flash -----------------------------------------------------------------------------

def test_a_flashed_version_shows_only_after_the_device_reset() -> None:
    state = state_named("after-B-A")
    shell = Shell(state)
    kernel.apply(state, {"eth1.firmware": "0x800003de"})  # the flash tool writes the NVM
    assert "firmware-version: 0x80000208" in shell.run("ethtool -i eth1").output
    kernel.apply(state, {"eth1.reset": True})
    assert "firmware-version: 0x800003de" in shell.run("ethtool -i eth1").output
    log = messages(shell, "dmesg | tail -n 6")
    assert log[:4] == ["bond0: (slave eth1): Releasing backup interface", "ixgbe 0000:d8:00.0: complete",
                       "ixgbe 0000:d8:00.0: 90:e2:ba:7d:22:b4",
                       "ixgbe 0000:d8:00.0: Intel(R) 10 Gigabit Network Connection"]
    assert log[4] == "bond0: (slave eth1): Enslaving as a backup interface with a down link"


def test_r3a_reveals_the_reset_before_the_new_version() -> None:
    engine = Engine(scenario())
    engine.replay("B-A")
    outcome = engine.choose("A")
    shell = Shell(host_after(engine, outcome))  # type: ignore[arg-type]
    log = messages(shell)
    assert before(log, "ixgbe 0000:d8:00.0: complete", "bond0: (slave eth1): link status definitely up, 10000 Mbps full duplex")
    assert "firmware-version: 0x800003de" in shell.run("ethtool -i eth1").output


# -- 4. enslave order -------------------------------------------------------------------------------

def _assert_bring_up_order(log: list[str]) -> None:
    enslave = "bond0: (slave eth0): Enslaving as a backup interface with a down link"
    link = "ixgbe 0000:3b:00.0 eth0: NIC Link is Up 10 Gbps, Flow Control: RX/TX"
    up = "bond0: (slave eth0): link status definitely up, 10000 Mbps full duplex"
    i = max(n for n, line in enumerate(log) if line == enslave)
    rest = log[i:]
    assert rest.index(link) < rest.index(up)
    assert rest[rest.index(up) + 1:rest.index(up) + 3] == [
        "bond0: (slave eth0): making interface the new active one", "bond0: active interface up!"]
    assert not any("with an up link" in line for line in rest)


def test_boot_enslaves_down_links_then_links_come_up() -> None:
    _assert_bring_up_order(messages(Shell(state_named("start"))))


def test_restart_networking_enslaves_down_links_then_links_come_up() -> None:
    shell = Shell(state_named("after-B-A-A"))
    shell.run("systemctl restart networking")
    _assert_bring_up_order(messages(shell))


# -- 5. restart networking releases -------------------------------------------------------------

def test_restart_networking_releases_one_by_one_then_unregisters() -> None:
    shell = Shell(state_named("after-B-A-A"))
    shell.run("systemctl restart networking")
    log = messages(shell)
    i = log.index("bond0: (slave eth0): Releasing backup interface")
    assert log[i:i + 5] == [
        "bond0: (slave eth0): Releasing backup interface",
        "bond0: (slave eth0): the permanent HWaddr of slave - 90:e2:ba:4c:10:a0 - is still in use by bond - "
        "set the HWaddr of slave to a different address to avoid conflicts",
        "bond0: (slave eth1): making interface the new active one",
        "bond0: (slave eth1): Releasing backup interface",
        "bond0 (unregistering): Released all slaves",
    ]
    assert "Link Failure Count: 0" in shell.run("cat /proc/net/bonding/bond0").output


# -- 7. smaller ones ----------------------------------------------------------------------------

def test_ip_route_under_ifupdown_is_onlink_without_proto() -> None:
    route = Shell(state_named("after-B-A-A")).run("ip route").output
    assert route.splitlines()[0] == "default via 10.20.0.1 dev bond0 onlink"
    assert "proto static" not in route and "proto boot" not in route
    assert Shell(state_named("start")).run("ip route").output.splitlines()[0] == \
        "default via 10.20.0.1 dev bond0 onlink linkdown"


@pytest.mark.parametrize(("count", "pipe"), [(1, None), (2, "pipe 2"), (3, "pipe 3"), (5, "pipe 3")])
def test_unreachable_ping_prints_pipe_whenever_more_than_one_probe_waited(count: int, pipe: str | None) -> None:
    out = Shell(state_named("start")).run(f"ping -c {count} 10.20.0.1").output
    last = out.splitlines()[-1]
    assert (last == pipe) if pipe else last.startswith(f"{count} packets transmitted")


def test_console_clock_after_reboot_is_the_replay_clock() -> None:
    """A reboot moves the boot time, not the wall clock: date still follows the engine."""
    engine = Engine(scenario())
    outcome = engine.choose("D")
    state = host_after(engine, outcome)
    assert state is not None and state.kernel is not None
    assert state.kernel.now == outcome.now
    assert shell_for(engine).run("date").output == f"{outcome.now:%a %b %e %H:%M:%S UTC %Y}"


def test_a_reboot_lets_the_kernel_pick_the_active_slave() -> None:
    """Nobody writes active_slave during a boot: no refusal, the first slave with link wins."""
    state = state_named("after-B-A-A")  # eth0 active
    kernel.apply(state, {"eth0.carrier": False, "host.reboot": True})
    log = messages(Shell(state))
    assert not any("Could not set as active slave" in line for line in log)
    assert state.bond.active_slave == "eth1"


# -- 6. mode changes ----------------------------------------------------------------------------

def test_a_mode_change_needs_no_slaves_and_the_bond_down() -> None:
    shell = Shell(state_named("after-B-A-A"))
    assert shell.run("ip link set bond0 type bond mode balance-rr").output == \
        "Error: unable to set option because the bond device has slaves."
    assert messages(shell, "dmesg | tail -n 1") == [
        "bond0: option mode: unable to set because the bond device has slaves"]
    assert shell.run("cat /sys/class/net/bond0/bonding/mode").output == "active-backup 1"
    assert shell.run("ip link set bond0 type bond mode foo").output == 'Error: argument "foo" is wrong: invalid mode'


def test_r2c_reveals_the_refused_mode_write_on_the_downed_bond() -> None:
    engine = Engine(scenario())
    engine.choose("B")
    outcome = engine.choose("C")
    pairs = dict(reveal(engine, outcome))
    assert pairs["ip link set bond0 type bond mode balance-rr"] == \
        "Error: unable to set option because the bond device has slaves."
    assert "bond0            DOWN " in pairs["ip -br link"]
