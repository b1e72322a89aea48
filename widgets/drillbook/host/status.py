"""What the kernel and the tools derive from the scenario's facts (pure functions).

The scenario states facts (carrier, degraded, admin_up, active_slave); tools show conclusions.
Keeping the rules here means ``/proc``, ``ip``, ``ping`` and the kernel log cannot disagree.
"""

from __future__ import annotations

from .model import HostState, Interface

#: bonding mode numbers, as sysfs prints them (``active-backup 1``)
MODE_NUMBERS = {"balance-rr": 0, "active-backup": 1, "balance-xor": 2, "broadcast": 3,
                "802.3ad": 4, "balance-tlb": 5, "balance-alb": 6}
#: ``Bonding Mode:`` line of /proc/net/bonding
MODE_NAMES = {
    "balance-rr": "load balancing (round-robin)",
    "active-backup": "fault-tolerance (active-backup)",
    "balance-xor": "load balancing (xor)",
    "broadcast": "fault-tolerance (broadcast)",
    "802.3ad": "IEEE 802.3ad Dynamic link aggregation",
    "balance-tlb": "transmit load balancing",
    "balance-alb": "adaptive load balancing",
}
#: modes that have one active slave (``Primary Slave``/``Currently Active Slave`` lines)
USES_PRIMARY = ("active-backup", "balance-tlb", "balance-alb")


def nic_link(iface: Interface) -> bool:
    """The driver's carrier: cabled link on an administratively up port (ethtool, LOWER_UP)."""
    return iface.carrier and iface.admin_up


def monitor_sees_up(state: HostState, iface: Interface, link: bool | None = None) -> bool:
    """The bond monitor's verdict on a slave whose driver carrier is ``link`` (default: the
    NIC's own). The MII monitor (use_carrier=1) sees carrier only, so a degraded NIC that keeps
    link looks up; the ARP monitor sees that nothing answers and marks it down. A NIC with
    ``story_mii_down`` is the seed's stylised telling: MII down despite carrier."""
    if not (nic_link(iface) if link is None else link):
        return False
    if not iface.degraded:
        return True
    if state.bond.arp_interval > 0:
        return False
    return not iface.story_mii_down


def monitoring(state: HostState) -> bool:
    """Without miimon or an ARP monitor the bond never notices a failure (bonding.rst)."""
    return state.bond.miimon > 0 or state.bond.arp_interval > 0


def slave_up(state: HostState, name: str) -> bool:
    """The bond's current per-slave MII status (the kernel's last verdict once booted)."""
    if state.kernel is not None and name in state.kernel.slave_up:
        return state.kernel.slave_up[name]
    return monitor_sees_up(state, state.interfaces[name])


def bond_carrier(state: HostState) -> bool:
    """bond0's own carrier (top ``MII Status``, ``LOWER_UP``): bond_set_carrier() raises it
    while at least one slave's link is up, and never without one."""
    bond = state.bond
    if not bond.admin_up:
        return False
    return any(slave_up(state, s) for s in bond.slaves)


def best_slave(state: HostState) -> str | None:
    """The kernel's choice (bond_find_best_slave, primary_reselect always): the primary if it
    is up, else the current active slave if up, else the first slave that is up."""
    bond = state.bond
    if bond.primary and slave_up(state, bond.primary):
        return bond.primary
    if bond.active_slave and slave_up(state, bond.active_slave):
        return bond.active_slave
    return next((s for s in bond.slaves if slave_up(state, s)), None)


def traffic_path(state: HostState) -> str:
    """How a packet to the LAN fares: ``ok``, ``blackhole`` (sent, never answered),
    ``no-carrier`` (ARP fails: Destination Host Unreachable) or ``no-route`` (bond down)."""
    bond = state.bond
    if not bond.admin_up:
        return "no-route"
    sending = sending_slaves(state)
    if not sending:
        return "no-carrier"
    active = state.interfaces[sending[0]]
    if not nic_link(active):
        return "no-carrier"
    if active.degraded or state.switches[active.switch].state != "up":
        return "blackhole"
    return "ok"


def sending_slaves(state: HostState) -> list[str]:
    """The slaves that carry the bond's traffic right now (none while the bond is down)."""
    bond = state.bond
    if not bond.admin_up:
        return []
    if bond.mode == "802.3ad":
        from .lacp import transmitting

        return transmitting(state)
    return [bond.active_slave] if bond_carrier(state) and bond.active_slave is not None else []


def path_mtu(state: HostState) -> int:
    """The largest packet that reaches the LAN: the bond's MTU, or less where the switch port
    the traffic leaves through forwards only smaller frames."""
    mtu = state.bond.mtu
    for name in sending_slaves(state):
        mtu = min(mtu, state.switches[state.interfaces[name].switch].mtu)
    return mtu


def bond_mac(state: HostState) -> str:
    """fail_over_mac none: bond0 and every slave wear the first slave's factory MAC."""
    return state.interfaces[state.bond.slaves[0]].mac


def speed_text(mbps: int) -> str:
    """ixgbe's ``NIC Link is Up`` speed string."""
    return {10000: "10 Gbps", 5000: "5 Gbps", 2500: "2.5 Gbps", 1000: "1 Gbps",
            100: "100 Mbps", 10: "10 Mbps"}.get(mbps, "unknown speed")
