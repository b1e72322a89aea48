"""The 802.3ad parts of the bonding tools' output, rendered from :mod:`drillbook.host.lacp`.

Layouts follow drivers/net/bonding/bond_procfs.c (kernel 6.x, read as root, so the
CAP_NET_ADMIN-only "System priority" lines and LACPDU details are shown): the master's
"802.3ad info" block after the ARP lines, and per slave, after "Slave queue ID", the
aggregator, churn states and the actor/partner LACPDU details. Templates are in
``templates/proc-bonding-8023ad*.txt``.
"""

from __future__ import annotations

from . import lacp
from ._templates import fill
from .model import HostState

#: xmit_hash_policy numbers (bond_options.c), as /proc and sysfs print them
XMIT_HASH_NUMBERS = {"layer2": 0, "layer3+4": 1, "layer2+3": 2, "encap2+3": 3, "encap3+4": 4, "vlan+srcmac": 5}
LACP_RATE_NUMBERS = {"slow": 0, "fast": 1}
AD_SELECT_NUMBERS = {"stable": 0, "bandwidth": 1, "count": 2}
#: modes whose /proc shows "Transmit Hash Policy" (bond_mode_uses_xmit_hash)
HASH_MODES = ("balance-xor", "802.3ad", "balance-tlb")


def hash_policy_line(state: HostState) -> str:
    """``Transmit Hash Policy: layer3+4 (1)`` plus newline, for the modes that hash."""
    if state.bond.mode not in HASH_MODES:
        return ""
    policy = state.bond.xmit_hash_policy
    return f"Transmit Hash Policy: {policy} ({XMIT_HASH_NUMBERS[policy]})\n"


def master_block(state: HostState) -> str:
    """The "802.3ad info" block (starts with its empty line, ends with a newline)."""
    bond = state.bond
    active = lacp.active_aggregator(state)
    if active is None:
        aggregator = f"bond {bond.name} has no active aggregator\n"
    else:
        aggregator = fill("proc-bonding-8023ad-aggregator", id=active.id, ports=len(active.ports),
                          actor_key=active.actor_key, partner_key=active.partner_key,
                          partner_mac=active.partner_mac)
    return fill("proc-bonding-8023ad", lacp_rate=bond.lacp_rate, min_links=bond.min_links,
                ad_select=bond.ad_select, system_priority=lacp.ACTOR_SYSTEM_PRIORITY,
                system_mac=lacp.actor_system(state), aggregator=aggregator)


def slave_blocks(state: HostState) -> dict[str, str]:
    """Each slave's 802.3ad lines, by slave name."""
    actor_mac = lacp.actor_system(state)
    out = {}
    for port in lacp.ports(state):
        churn = "churned" if port.churned else "none"
        count = 1 if port.churned else 0
        partner = port.partner
        out[port.name] = fill(
            "proc-bonding-8023ad-slave", aggregator=port.aggregator, actor_churn=churn, partner_churn=churn,
            actor_churned=count, partner_churned=count, actor_priority=lacp.ACTOR_SYSTEM_PRIORITY,
            actor_mac=actor_mac, actor_key=port.key, actor_port_priority=lacp.ACTOR_PORT_PRIORITY,
            actor_port=port.number, actor_state=port.actor_state, partner_priority=partner.system_priority,
            partner_mac=partner.system_mac, partner_key=partner.key, partner_port_priority=partner.port_priority,
            partner_port=partner.port_number, partner_state=partner.port_state)
    return out


def sysfs_values(state: HostState) -> dict[str, str]:
    """The 802.3ad files under /sys/class/net/bond0/bonding/ (bond_sysfs.c)."""
    bond = state.bond
    values = {
        "lacp_rate": f"{bond.lacp_rate} {LACP_RATE_NUMBERS[bond.lacp_rate]}",
        "ad_select": f"{bond.ad_select} {AD_SELECT_NUMBERS[bond.ad_select]}",
        "xmit_hash_policy": f"{bond.xmit_hash_policy} {XMIT_HASH_NUMBERS[bond.xmit_hash_policy]}",
        "min_links": str(bond.min_links),
        "lacp_active": "on 1",
    }
    # the ad_* files print 0 (and a null MAC) with no active aggregator, nothing outside 802.3ad
    active = lacp.active_aggregator(state) if bond.mode == "802.3ad" else None
    numbers = (active.id, len(active.ports), active.actor_key, active.partner_key) if active else (0, 0, 0, 0)
    ad = dict(zip(("ad_aggregator", "ad_num_ports", "ad_actor_key", "ad_partner_key"), map(str, numbers)))
    ad["ad_partner_mac"] = active.partner_mac if active else lacp.NULL_MAC
    values.update(ad if bond.mode == "802.3ad" else dict.fromkeys(ad, ""))
    return values


def bond_speed_mbps(state: HostState) -> int:
    """``ethtool bond0`` speed in 802.3ad: the sum over the ports that can transmit
    (bond_ethtool_get_link_ksettings adds up bond_slave_can_tx slaves)."""
    return sum(state.interfaces[name].speed_mbps for name in lacp.transmitting(state))
