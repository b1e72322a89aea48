"""Network tools' output rendered from the host state: /proc/net/bonding, sysfs, ethtool, ip.

Formats follow shared/reference/linux-bonding-formats.md line for line; the long fixed layouts
are templates in ``templates/``. Every function returns the text without a final newline, or
raises :class:`ToolError` with the tool's own error text when the device or file does not exist.
"""

from __future__ import annotations

import ipaddress

from ..errors import ToolError
from . import render_lacp
from ._templates import fill, tool
from .model import HostState
from .status import (MODE_NAMES, MODE_NUMBERS, USES_PRIMARY, bond_carrier, bond_mac, nic_link, slave_up)

_PORTS = {"FIBRE": "FIBRE", "Twisted Pair": "TP", "Direct Attach Copper": "FIBRE", "Other": "", "None": ""}


# -- /proc/net/bonding ---------------------------------------------------------------------

def proc_bonding(state: HostState) -> str:
    bond = state.bond
    active_lines = render_lacp.hash_policy_line(state)
    if bond.mode in USES_PRIMARY:
        primary = f"{bond.primary} (primary_reselect always)" if bond.primary else "None"
        active_lines += fill("proc-bonding-active", primary=primary, active=bond.active_slave or "None")
    arp_lines = ""
    if bond.arp_interval > 0:
        targets = ",".join(f" {t}" for t in bond.arp_ip_targets)
        arp_lines = fill("proc-bonding-arp", arp_interval=bond.arp_interval, targets=targets)
    text = fill("proc-bonding", kernel_release=state.kernel_release, mode_name=MODE_NAMES[bond.mode],
                active_lines=active_lines, mii_status="up" if bond_carrier(state) else "down",
                miimon=bond.miimon, updelay=bond.updelay, downdelay=bond.downdelay, arp_lines=arp_lines)
    lacp_slaves: dict[str, str] = {}
    if bond.mode == "802.3ad":
        text += render_lacp.master_block(state)
        lacp_slaves = render_lacp.slave_blocks(state)
    for name in bond.slaves:
        iface = state.interfaces[name]
        link = nic_link(iface)
        text += fill("proc-bonding-slave", name=name, mii_status="up" if slave_up(state, name) else "down",
                     speed=f"{iface.speed_mbps} Mbps" if link else "Unknown",
                     duplex="full" if link else "Unknown", failures=iface.link_failure_count, mac=iface.mac)
        text += lacp_slaves.get(name, "")
    return text.rstrip("\n")


# -- sysfs -----------------------------------------------------------------------------------

def sysfs(state: HostState, path: str) -> str:
    """``cat`` of a file under /sys/class/net (the bonding and a few generic attributes)."""
    bond = state.bond
    parts = path.rstrip("/").split("/")
    if path == "/sys/class/net/bonding_masters":
        return bond.name
    if parts[:4] != ["", "sys", "class", "net"] or len(parts) < 6:
        raise ToolError(tool("no_such_file", path=path))
    dev, rest = parts[4], "/".join(parts[5:])
    if dev == bond.name and rest.startswith("bonding/"):
        attr = rest.split("/", 1)[1]
        values = {
            "mode": f"{bond.mode} {MODE_NUMBERS[bond.mode]}",
            "miimon": str(bond.miimon),
            "updelay": str(bond.updelay),
            "downdelay": str(bond.downdelay),
            "slaves": " ".join(bond.slaves),
            "active_slave": bond.active_slave or "",
            "primary": bond.primary or "",
            "primary_reselect": "always 0",
            "fail_over_mac": "none 0",
            "arp_validate": "none 0",
            "arp_interval": str(bond.arp_interval),
            "arp_ip_target": " ".join(bond.arp_ip_targets),
            "mii_status": "up" if bond_carrier(state) else "down",
            "num_grat_arp": "1",
            "use_carrier": "1",
            **render_lacp.sysfs_values(state),
        }
        if attr in values:
            return values[attr]
    if dev in bond.slaves and rest.startswith("bonding_slave/"):
        iface = state.interfaces[dev]
        attr = rest.split("/", 1)[1]
        values = {
            "state": "active" if dev == bond.active_slave else "backup",
            "mii_status": "up" if slave_up(state, dev) else "down",
            "link_failure_count": str(iface.link_failure_count),
            "perm_hwaddr": iface.mac,
            "queue_id": "0",
        }
        if attr in values:
            return values[attr]
    admin, carrier = _admin_carrier(state, dev)
    if admin is not None:
        if rest == "carrier":
            if not admin:
                raise ToolError(tool("invalid_argument", path=path))
            return "1" if carrier else "0"
        if rest == "operstate":
            return "up" if admin and carrier else "down"
        if rest == "address":
            return _current_mac(state, dev)
    raise ToolError(tool("no_such_file", path=path))


def _admin_carrier(state: HostState, dev: str) -> tuple[bool | None, bool]:
    if dev == state.bond.name:
        return state.bond.admin_up, bond_carrier(state)
    iface = state.interfaces.get(dev)
    if iface is None:
        return None, False
    return iface.admin_up, nic_link(iface)


def _current_mac(state: HostState, dev: str) -> str:
    if dev == state.bond.name or dev in state.bond.slaves:
        return bond_mac(state)
    return state.interfaces[dev].mac


# -- ethtool ---------------------------------------------------------------------------------

def ethtool(state: HostState, dev: str) -> str:
    if dev == state.bond.name:
        up = bond_carrier(state)
        speed = state.interfaces[state.bond.active_slave].speed_mbps if up and state.bond.active_slave else 0
        if state.bond.mode == "802.3ad":
            speed = render_lacp.bond_speed_mbps(state) if up else 0
        return fill("ethtool-bond", name=dev, speed=f"{speed}Mb/s" if speed else "Unknown!",
                    duplex="Full" if speed else "Unknown! (255)", link="yes" if up else "no").rstrip("\n")
    if dev == "lo":
        return "Settings for lo:\n\tLink detected: yes"
    iface = state.interfaces.get(dev)
    if iface is None:
        raise ToolError(tool("ethtool_no_device") + "\n" + tool("ethtool_no_device2"))
    link = nic_link(iface)
    return fill("ethtool", name=dev, ports=_PORTS[iface.port], link_mode=f"{iface.speed_mbps}baseT/Full",
                speed=f"{iface.speed_mbps}Mb/s" if link else "Unknown!",
                duplex="Full" if link else "Unknown! (255)", port=iface.port,
                link="yes" if link else "no").rstrip("\n")


def ethtool_driver(state: HostState, dev: str) -> str:
    if dev == state.bond.name:
        return fill("ethtool-driver", driver="bonding", version=state.kernel_release, firmware="2",
                    bus_info="", yes="no").rstrip("\n")
    iface = state.interfaces.get(dev)
    if iface is None:
        raise ToolError(tool("ethtool_i_no_device"))
    # the driver read the NVM version at probe (ixgbe_set_fw_version); a flash shows after a reset
    probed = state.kernel.probed_firmware.get(dev) if state.kernel is not None else None
    return fill("ethtool-driver", driver=iface.driver, version=state.kernel_release, firmware=probed or iface.firmware,
                bus_info=iface.bus_info, yes="yes").rstrip("\n")


# -- iproute2 --------------------------------------------------------------------------------

def _devices(state: HostState) -> list[str]:
    return ["lo", *state.interfaces, state.bond.name]


def _link_facts(state: HostState, dev: str) -> tuple[list[str], str, str]:
    """(flags, state word, brief operstate) of a device."""
    if dev == "lo":
        return ["LOOPBACK", "UP", "LOWER_UP"], "UNKNOWN", "UNKNOWN"
    admin, carrier = _admin_carrier(state, dev)
    role = "MASTER" if dev == state.bond.name else "SLAVE" if dev in state.bond.slaves else None
    flags = ["BROADCAST", "MULTICAST"] + ([role] if role else [])
    if admin:
        flags = ([] if carrier else ["NO-CARRIER"]) + flags + ["UP"] + (["LOWER_UP"] if carrier else [])
    word = "UP" if admin and carrier else "DOWN"
    return flags, word, word


def _head(state: HostState, dev: str, *, addr: bool) -> str:
    flags, word, _ = _link_facts(state, dev)
    index = _devices(state).index(dev) + 1
    mode = "" if addr else " mode DEFAULT"
    if dev == "lo":
        return (f"{index}: lo: <{','.join(flags)}> mtu 65536 qdisc noqueue state UNKNOWN{mode} group default "
                "qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00")
    qdisc = "noqueue" if dev == state.bond.name else "mq"
    master = f" master {state.bond.name}" if dev in state.bond.slaves else ""
    mac = _current_mac(state, dev)
    perm = state.interfaces[dev].mac if dev in state.interfaces else mac
    permaddr = f" permaddr {perm}" if perm != mac else ""
    mtu = state.bond.mtu if dev == state.bond.name or dev in state.bond.slaves else 1500
    return (f"{index}: {dev}: <{','.join(flags)}> mtu {mtu} qdisc {qdisc}{master} state {word}{mode} "
            f"group default qlen 1000\n    link/ether {mac} brd ff:ff:ff:ff:ff:ff{permaddr}")


def _addresses(state: HostState, dev: str) -> list[tuple[str, str]]:
    """(address/prefix, the rest of its ``ip addr`` line) for each address of ``dev``."""
    if dev == "lo":
        return [("127.0.0.1/8", "scope host lo"), ("::1/128", "scope host noprefixroute ")]
    if dev != state.bond.name:
        return []
    iface = ipaddress.ip_interface(state.bond.address)
    out = [(state.bond.address, f"brd {iface.network.broadcast_address} scope global {dev}")]
    if state.bond.admin_up:
        out.append((f"{_link_local(bond_mac(state))}/64", "scope link "))
    return out


def _link_local(mac: str) -> str:
    octets = [int(x, 16) for x in mac.split(":")]
    octets[0] ^= 0x02
    eui = octets[:3] + [0xFF, 0xFE] + octets[3:]
    return str(ipaddress.IPv6Address("fe80::" + ":".join(f"{eui[i]:02x}{eui[i + 1]:02x}" for i in range(0, 8, 2))))


def _check(state: HostState, dev: str | None) -> list[str]:
    if dev is None:
        return _devices(state)
    if dev not in _devices(state):
        raise ToolError(tool("ip_no_device", dev=dev))
    return [dev]


def ip_link(state: HostState, dev: str | None = None) -> str:
    return "\n".join(_head(state, d, addr=False) for d in _check(state, dev))


def ip_addr(state: HostState, dev: str | None = None) -> str:
    blocks = []
    for d in _check(state, dev):
        lines = [_head(state, d, addr=True)]
        for address, rest in _addresses(state, d):
            family = "inet6" if ":" in address else "inet"
            lines.append(f"    {family} {address} {rest}\n       valid_lft forever preferred_lft forever")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def ip_brief(state: HostState, dev: str | None = None, *, addr: bool) -> str:
    lines = []
    for d in _check(state, dev):
        flags, _, oper = _link_facts(state, d)
        if addr:
            tail = "".join(f"{a} " for a, _ in _addresses(state, d))
        else:
            mac = "00:00:00:00:00:00" if d == "lo" else _current_mac(state, d)
            tail = f"{mac} <{','.join(flags)}> "
        lines.append(f"{d:<16} {oper:<14} {tail}")
    return "\n".join(lines)


def ip_route_get(state: HostState, address: str) -> str:
    """``ip route get ADDR``: the route the kernel would use. The ``cache`` line would show
    ``mtu N`` only once an ICMP "fragmentation needed" taught the kernel a smaller path MTU;
    a layer-2 hop that drops big frames never sends one, so none is ever shown here."""
    try:
        target = ipaddress.ip_address(address)
    except ValueError:
        raise ToolError(tool("ip_route_get_bad_prefix", value=address)) from None
    bond = state.bond
    net = ipaddress.ip_interface(bond.address)
    if target.is_loopback or target == net.ip:
        return f"local {target} dev lo src {net.ip if target == net.ip else '127.0.0.1'} uid 0 \n    cache <local> "
    if not bond.admin_up:
        raise ToolError(tool("ip_route_unreachable"))
    via = "" if target in net.network else f"via {state.gateway} "
    return f"{target} {via}dev {bond.name} src {net.ip} uid 0 \n    cache "
