"""The simulated kernel and the seed's story: what a learner must be able to see."""

from __future__ import annotations

import re

from drillbook.engine import Engine
from drillbook.host import reveal, shell_for
from drillbook.host.shell import Shell

from .test_host_states import scenario, state_named

STAMP = re.compile(r"^\[ *(\d+)\.(\d{6})\] ")


def test_seed_start_both_slaves_down_yet_eth1_has_link() -> None:
    shell = Shell(state_named("start"))
    proc = shell.run("cat /proc/net/bonding/bond0").output
    assert "Currently Active Slave: None\nMII Status: down" in proc
    assert proc.count("MII Status: down") == 3
    assert "\tLink detected: yes" in shell.run("ethtool eth1").output
    assert "\tLink detected: no" in shell.run("ethtool eth0").output
    grep = shell.run("dmesg | grep eth1").output
    assert "firmware mismatch — NIC in degraded mode (NVM 0x80000208, expected 0x800003de)" in grep
    assert all("eth1" in line for line in grep.splitlines())


def test_optimal_path_restores_both_slaves() -> None:
    shell = Shell(state_named("after-B-A-A"))
    proc = shell.run("cat /proc/net/bonding/bond0").output
    assert "Currently Active Slave: eth0\nMII Status: up" in proc
    assert proc.count("MII Status: up") == 3
    assert "firmware-version: 0x800003de" in shell.run("ethtool -i eth1").output
    assert "0% packet loss" in shell.run("ping -c 4 10.20.0.1").output


def test_failover_history_is_logged_in_kernel_order_with_monotonic_stamps() -> None:
    log = Shell(state_named("start")).run("dmesg").output.splitlines()
    messages = [STAMP.sub("", line) for line in log]
    i = messages.index("ixgbe 0000:3b:00.0 eth0: NIC Link is Down")
    assert messages[i + 1:i + 3] == ["bond0: (slave eth0): link status definitely down, disabling slave",
                                     "bond0: now running without any active interface!"]
    stamps = [float(".".join(STAMP.match(line).groups())) for line in log]
    assert stamps == sorted(stamps)
    # the NIC went down at -2 minutes: 2 minutes before the alert at uptime 12961 minutes
    assert 12959 * 60 <= stamps[i] < 12959 * 60 + 1


def test_ifdown_fails_over_and_ifup_fails_back_to_the_primary() -> None:
    shell = Shell(state_named("after-B-A-A"))
    shell.run("ifdown eth0")
    proc = shell.run("cat /proc/net/bonding/bond0").output
    assert "Currently Active Slave: eth1" in proc and "Link Failure Count: 2" in proc
    shell.run("sleep 5 && ifup eth0")
    tail = shell.run("dmesg | tail -n 3").output
    assert tail.endswith("bond0: (slave eth0): making interface the new active one")
    assert "NIC Link is Up 10 Gbps" in tail
    assert "Currently Active Slave: eth0" in shell.run("cat /proc/net/bonding/bond0").output
    assert shell.run("ifup eth0").output == "ifup: interface eth0 already configured"


def test_losing_the_last_slave_logs_no_active_interface() -> None:
    shell = Shell(state_named("after-B-A-A"))
    shell.run("ifdown eth0 ; ifdown eth1")
    out = shell.run("dmesg | tail -n 2").output
    assert out.endswith("bond0: now running without any active interface!")
    assert "Destination Host Unreachable" in shell.run("ping -c 2 10.20.0.1").output


def test_forced_degraded_slave_blackholes_traffic() -> None:
    shell = Shell(state_named("wrong-R3-C"))
    assert "Currently Active Slave: eth1" in shell.run("cat /proc/net/bonding/bond0").output
    ping = shell.run("ping -c 4 10.20.0.1").output
    assert "4 packets transmitted, 0 received, 100% packet loss" in ping and "64 bytes" not in ping


def test_bond_down_means_no_route() -> None:
    shell = Shell(state_named("wrong-R2-C"))
    assert shell.run("ping -c 4 10.20.0.1").output == "ping: connect: Network is unreachable"
    assert "bond0            DOWN           90:e2:ba:4c:10:a0 <BROADCAST,MULTICAST,MASTER> " in shell.run("ip -br link").output


def test_arp_monitoring_shows_in_proc() -> None:
    proc = Shell(state_named("wrong-R3-D")).run("cat /proc/net/bonding/bond0").output
    assert "MII Polling Interval (ms): 0\n" in proc
    assert "ARP Polling Interval (ms): 1000\nARP Missed Max: 2\nARP IP target/s (n.n.n.n form): 10.20.0.1\n" in proc


def test_restart_networking_releases_and_reenslaves() -> None:
    shell = Shell(state_named("start"))
    assert shell.run("systemctl restart networking").output == ""
    log = shell.run("dmesg | tail -n 8").output
    assert "bond0: (slave eth0): Releasing backup interface" in log
    assert "bond0: (slave eth1): Enslaving as a backup interface with a down link" in log
    assert "Link Failure Count: 0" in shell.run("cat /proc/net/bonding/bond0").output


def test_clock_follows_engine_and_console_cost() -> None:
    engine = Engine(scenario())
    engine.choose("B")
    shell = shell_for(engine)
    assert shell.run("date").output == "Wed Nov 19 03:25:00 UTC 2025"
    assert shell.run("date").output == "Wed Nov 19 03:26:00 UTC 2025"  # the first date cost a minute
    result = shell.run("sleep 90")
    assert result.minutes == 2 and shell.run("date").output == "Wed Nov 19 03:29:00 UTC 2025"  # 03:27 + 2
    assert shell.run("help").minutes == 0 and shell.run("").minutes == 0


def test_reveal_renders_right_after_the_choice() -> None:
    engine = Engine(scenario())
    outcome = engine.choose("B")
    (command, output), = reveal(engine, outcome)
    assert command == "cat /proc/net/bonding/bond0" and "Currently Active Slave: None" in output
    engine.choose("A")
    outcome = engine.choose("A")  # moved on: its effects are already on the host's timeline
    pairs = dict(reveal(engine, outcome))
    assert "firmware-version: 0x800003de" in pairs["ethtool -i eth1"]
    assert pairs["cat /proc/net/bonding/bond0"].count("MII Status: up") == 3
    # a stay choice: R3-C forces eth1 in its own result only
    engine2 = Engine(scenario())
    engine2.replay("B-A")
    outcome = engine2.choose("C")
    pairs = dict(reveal(engine2, outcome))
    assert "Currently Active Slave: eth1" in pairs["cat /proc/net/bonding/bond0"]
    assert "100% packet loss" in pairs["ping -c 4 10.20.0.1"]
    assert "Currently Active Slave: None" in shell_for(engine2).run("cat /proc/net/bonding/bond0").output
