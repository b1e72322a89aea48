"""What the 802.3ad (LACP) state machines conclude from the host's facts (pure functions).

The scenario states facts (each switch's LACP system ID and key, whether a switch port is in
the port-channel, ``lacp: false`` when it is not); this module derives what bond_3ad.c would
hold: which aggregator each port is in, which aggregator is active, each port's actor/partner
LACPDU details and churn state. ``/proc``, ``ethtool bond0``, sysfs and ``ping`` all read it,
so they cannot disagree.

Values follow drivers/net/bonding/bond_3ad.c: a port that never hears a LACPDU keeps the
partner defaults of ``ad_initialize_port`` (system priority 65535, MAC 00:00:00:00:00:00,
key 1, port priority 255, port number 1, state 0 since 5.14's lacp_active) and ends in an
aggregator of its own; the operational key is ``speed code << 1 | full duplex``
(10000 Mb/s = code 7, key 15).

Derived, not checked against a capture (treat as approximate): the actor port state of a port
without a partner (69 = activity, aggregation, defaulted; 71 with lacp_rate fast), "churned"
for both churn machines of such a port with churn counts of 1, and the switch's partner port
state 61 (a switch on slow LACP timers). The /proc layout itself (line order, labels, TABs, the
4-space LACPDU detail indent) is bond_procfs.c's, 5.14+ (``LACP active``) and before
``coupled_control``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import HostState
from .status import bond_mac, nic_link

NULL_MAC = "00:00:00:00:00:00"
#: AD_LINK_SPEED_* codes of bond_3ad.c
_SPEED_CODES = {1: 1, 10: 2, 100: 3, 1000: 4, 2500: 5, 5000: 6, 10000: 7, 14000: 8, 20000: 9, 25000: 10,
                40000: 11, 50000: 12, 56000: 13, 100000: 14, 200000: 15, 400000: 16}
#: LACP port state bits (IEEE 802.1AX): activity, timeout (fast), aggregation, synchronization,
#: collecting, distributing, defaulted, expired
ACTIVITY, TIMEOUT, AGGREGATION, SYNC, COLLECTING, DISTRIBUTING, DEFAULTED = 1, 2, 4, 8, 16, 32, 64
ACTOR_SYSTEM_PRIORITY = 65535
ACTOR_PORT_PRIORITY = 255
#: what a switch puts in its LACPDUs (Cisco/Arista defaults)
SWITCH_PRIORITY = 32768
SWITCH_PORT_STATE = ACTIVITY | AGGREGATION | SYNC | COLLECTING | DISTRIBUTING  # 61, slow timeout
#: partner defaults of ad_initialize_port (kernel >= 5.14)
DEFAULT_PARTNER = (65535, NULL_MAC, 1, 255, 1, 0)


@dataclass(frozen=True)
class Partner:
    system_priority: int
    system_mac: str
    key: int
    port_priority: int
    port_number: int
    port_state: int


@dataclass(frozen=True)
class Port:
    """One slave as bond_3ad.c sees it."""

    name: str
    number: int  #: actor port number (slave id, from 1 in enslave order)
    key: int  #: actor operational key
    paired: bool  #: hears LACPDUs from a partner
    aggregator: int
    actor_state: int
    partner: Partner
    churned: bool


@dataclass(frozen=True)
class Aggregator:
    id: int
    ports: tuple[str, ...]  #: ports with link attached to it
    actor_key: int
    partner_key: int
    partner_mac: str


def _key(state: HostState, name: str) -> int:
    iface = state.interfaces[name]
    if not nic_link(iface):
        return 0
    return (_SPEED_CODES.get(iface.speed_mbps, 0) << 1) | 1


def _paired(state: HostState, name: str) -> bool:
    iface = state.interfaces[name]
    switch = state.switches[iface.switch]
    return (nic_link(iface) and iface.lacp and switch.state == "up" and switch.system_mac != NULL_MAC
            and switch.lacp_key > 0)


def _aggregator_ids(state: HostState) -> dict[str, int]:
    """Ports with the same partner system, key and speed share the aggregator of the first of
    them; a port without a partner has one of its own (ids follow the slave ids)."""
    groups: dict[tuple[str, int, int], int] = {}
    ids = {}
    for number, name in enumerate(state.bond.slaves, start=1):
        if _paired(state, name):
            switch = state.switches[state.interfaces[name].switch]
            ids[name] = groups.setdefault((switch.system_mac, switch.lacp_key, _key(state, name)), number)
        else:
            ids[name] = number
    return ids


def ports(state: HostState) -> list[Port]:
    """Every slave's 802.3ad view, in enslave order."""
    bond = state.bond
    timeout = TIMEOUT if bond.lacp_rate == "fast" else 0
    ids = _aggregator_ids(state)
    out = []
    active = active_aggregator(state)
    for number, name in enumerate(bond.slaves, start=1):
        key = _key(state, name)
        paired = _paired(state, name)
        agg = ids[name]
        if paired:
            switch = state.switches[state.interfaces[name].switch]
            partner = Partner(SWITCH_PRIORITY, switch.system_mac, switch.lacp_key, SWITCH_PRIORITY,
                              state.interfaces[name].switch_port, SWITCH_PORT_STATE)
            in_use = active is not None and active.id == agg
            actor = ACTIVITY | timeout | AGGREGATION | SYNC | ((COLLECTING | DISTRIBUTING) if in_use else 0)
        else:
            partner = Partner(*DEFAULT_PARTNER)
            actor = ACTIVITY | timeout | AGGREGATION | DEFAULTED
        out.append(Port(name, number, key, paired, agg, actor, partner, churned=not paired))
    return out


def aggregators(state: HostState) -> list[Aggregator]:
    """The aggregators that have at least one port with link, by id."""
    found: dict[int, list[tuple[str, bool]]] = {}
    for name, agg in _aggregator_ids(state).items():
        if nic_link(state.interfaces[name]):
            found.setdefault(agg, []).append((name, _paired(state, name)))
    result = []
    for agg, members in sorted(found.items()):
        first, paired = members[0]
        switch = state.switches[state.interfaces[first].switch]
        result.append(Aggregator(agg, tuple(m for m, _ in members), _key(state, first),
                                 switch.lacp_key if paired else 1, switch.system_mac if paired else NULL_MAC))
    return result


def active_aggregator(state: HostState) -> Aggregator | None:
    """ad_agg_selection_logic, simplified: an aggregator with a partner beats an individual
    port; then the most ports (``count``/``stable``) or the most bandwidth; then the lowest id."""
    candidates = aggregators(state)
    if not candidates or not state.bond.admin_up:
        return None

    def rank(agg: Aggregator) -> tuple[bool, int, int]:
        size = len(agg.ports)
        if state.bond.ad_select == "bandwidth":
            size = sum(state.interfaces[p].speed_mbps for p in agg.ports)
        return (agg.partner_mac != NULL_MAC, size, -agg.id)

    return max(candidates, key=rank)


def transmitting(state: HostState) -> list[str]:
    """The slaves that carry traffic: the active aggregator's ports (none below min_links)."""
    active = active_aggregator(state)
    if active is None or len(active.ports) < max(1, state.bond.min_links):
        return []
    return list(active.ports)


def actor_system(state: HostState) -> str:
    """The bond's LACP system MAC (ad_actor_system unset: the bond's own MAC)."""
    return bond_mac(state)
