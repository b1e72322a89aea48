"""The simulated host's state, read from a scenario's ``host:`` section, and effects on it.

State changes are data (``eth1.firmware: "0x800003de"``) so a new incident needs YAML, not
Python. This module only models and validates; rendering tool output lives beside it.
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import re
from dataclasses import dataclass, field, fields
from typing import Any

from .._schema import Section, describe

BOND_MODES = ("balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb")
SWITCH_STATES = ("up", "maintenance", "down")
LACP_RATES = ("slow", "fast")
AD_SELECT = ("stable", "bandwidth", "count")
XMIT_HASH_POLICIES = ("layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac")
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_CIDR = re.compile(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")
#: sane ranges of the host's whole-number fields, in the ``host:`` section and in effects alike
RANGES = {"speed_mbps": (10, 800_000), "miimon": (0, 60_000), "updelay": (0, 60_000), "downdelay": (0, 60_000),
          "arp_interval": (0, 60_000), "link_failure_count": (0, 100_000), "switch_port": (1, 65_535),
          "mtu": (68, 65_535), "min_links": (0, 8), "lacp_key": (0, 65_535)}
#: longest value of the host's text fields
TEXT_LIMITS = {"driver": 40, "bus_info": 40, "mac": 17, "firmware": 60, "switch": 64, "address": 18, "label": 80,
               "system_mac": 17}
PORTS = ("FIBRE", "Twisted Pair", "Direct Attach Copper", "Other", "None")
#: the kernel's limits: BOND_MAX_ARP_TARGETS is 16; a bond here has at most 8 ports
MAX_SLAVES = 8
MAX_ARP_TARGETS = 16


@dataclass
class Interface:
    """One physical NIC port."""

    name: str
    driver: str
    bus_info: str
    mac: str  #: the permanent (factory) address, lowercase
    firmware: str
    speed_mbps: int
    port: str
    switch: str  #: name of the upstream switch this port is cabled to
    carrier: bool  #: what ``ethtool`` reports as "Link detected"
    degraded: bool  #: reports link but passes no traffic (the seed's firmware fault)
    admin_up: bool = True
    link_failure_count: int = 0
    #: the switch port runs LACP in the bond's port-channel (802.3ad only): it sends LACPDUs
    lacp: bool = True
    #: the switch's LACP port number for this port (partner "port number" in /proc)
    switch_port: int = 1
    #: the seed's telling, not a real kernel's: the bond's MII monitor marks this degraded NIC
    #: down although it keeps carrier (with use_carrier=1 a real kernel shows it up; an ARP
    #: monitor really would mark it down). See docs/accuracy.md, "stylised".
    story_mii_down: bool = False


@dataclass
class Bond:
    """The bonding master and its options (names as in bonding.rst)."""

    name: str
    mode: str
    miimon: int
    slaves: list[str]
    address: str
    active_slave: str | None = None
    primary: str | None = None
    updelay: int = 0
    downdelay: int = 0
    arp_interval: int = 0
    arp_ip_targets: list[str] = field(default_factory=list)
    admin_up: bool = True
    #: the bond's MTU; its slaves carry the same (the bonding driver sets it on them)
    mtu: int = 1500
    #: 802.3ad options (bonding.rst); shown in /proc only in 802.3ad mode
    lacp_rate: str = "slow"
    ad_select: str = "stable"
    min_links: int = 0
    xmit_hash_policy: str = "layer2"


@dataclass
class Switch:
    """An upstream top-of-rack switch, as far as this host can tell."""

    name: str
    label: str
    state: str
    #: largest frame payload its ports toward this host forward; bigger frames are dropped
    #: silently (a layer-2 hop sends no ICMP "fragmentation needed")
    mtu: int = 9216
    #: LACP system ID (an MLAG pair shares one) and port-channel key, as LACPDUs carry them
    system_mac: str = "00:00:00:00:00:00"
    lacp_key: int = 0


@dataclass
class HistoryEvent:
    """Something that happened before the replay starts, ``at_minutes`` relative to it."""

    at_minutes: int
    note: str
    effects: dict[str, Any]


@dataclass
class KernelState:
    """What the simulated kernel last concluded about each link.

    The scenario only says *what is true* (carrier, firmware, ...); the kernel log is about
    *changes*, so the kernel keeps its previous view and logs the difference. ``uptime_s`` is
    the dmesg clock; wall-clock time is ``booted + uptime_s``.
    """

    booted: dt.datetime
    uptime_s: float = 0.0
    nic_link: dict[str, bool] = field(default_factory=dict)  #: driver carrier, as ethtool sees it
    slave_up: dict[str, bool] = field(default_factory=dict)  #: the bond monitor's verdict per slave
    bond_carrier: bool = False
    log: list[tuple[float, str]] = field(default_factory=list)  #: (uptime seconds, message)
    #: the firmware version each driver read at probe time: what ``ethtool -i`` shows until
    #: the device is reset, whatever a flash tool has written to the NVM since
    probed_firmware: dict[str, str] = field(default_factory=dict)

    @property
    def now(self) -> dt.datetime:
        return self.booted + dt.timedelta(seconds=self.uptime_s)


@dataclass
class HostState:
    """Everything the console and the renderers read; copied, never shared between replays."""

    hostname: str
    kernel_release: str
    uptime_minutes: int
    gateway: str
    firmware_baseline: str
    console_minutes: int
    interfaces: dict[str, Interface]
    bond: Bond
    switches: dict[str, Switch]
    history: list[HistoryEvent] = field(default_factory=list)
    #: set by :func:`drillbook.host.kernel.boot`; None for a state straight from the YAML
    kernel: KernelState | None = None

    def copy(self) -> "HostState":
        return copy.deepcopy(self)

    def target(self, obj: str) -> Interface | Bond | Switch | None:
        if obj == self.bond.name:
            return self.bond
        return self.interfaces.get(obj) or self.switches.get(obj)

    def apply(self, effects: dict[str, Any]) -> None:
        """Apply validated effects in order (``object.field: value``)."""
        for key, value in effects.items():
            obj, attr = key.split(".", 1)
            target = self.target(obj)
            assert target is not None, key  # validated at load time
            setattr(target, attr, copy.deepcopy(value))


# -- parsing ---------------------------------------------------------------------------------

def _whole(section: Section, key: str, default: Any = ...) -> int:
    """A whole-number host field in its sane range (:data:`RANGES`, by the field's own name)."""
    low, high = RANGES[key.rpartition(".")[2]]
    return section.integer(key, default, minimum=low, maximum=high)


def is_ipv4(value: object) -> bool:
    """A dotted-quad IPv4 address such as ``10.20.0.1`` (each part 0-255)."""
    if not isinstance(value, str):
        return False
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def _slave_list(section: Section, key: str, interfaces: dict[str, Interface]) -> list[str]:
    """A bond's slaves: 1 to :data:`MAX_SLAVES` declared interfaces, each once."""
    names = list(section.text_list(key, min_items=1, max_items=MAX_SLAVES))
    for index, name in enumerate(names):
        if name not in interfaces:
            section.fail_item(key, index, f"unknown interface '{name}' (interfaces: {', '.join(interfaces)})")
        if name in names[:index]:
            section.fail_item(key, index, f"interface '{name}' is listed twice")
    return names


def _ipv4_list(section: Section, key: str) -> list[str]:
    """ARP monitor targets: up to :data:`MAX_ARP_TARGETS` distinct IPv4 addresses."""
    targets: list[str] = []
    for index, item, _line in section.items(key, default=[], max_items=MAX_ARP_TARGETS):
        if not is_ipv4(item):
            got = f"'{item}'" if isinstance(item, str) else describe(item)
            section.fail_item(key, index, f"item {index + 1} must be an IPv4 address like 10.20.0.1, got {got}")
        if item in targets:
            section.fail_item(key, index, f"'{item}' is listed twice")
        targets.append(item)
    return targets


def _mac(section: Section, key: str) -> str:
    value = section.text(key, max_len=TEXT_LIMITS["mac"])
    if not _MAC.match(value):
        section.fail(key, f"'{value}' is not a MAC address like 90:e2:ba:4c:10:a0 (lowercase)")
    return value


def _cidr(section: Section, key: str) -> str:
    value = section.text(key, max_len=TEXT_LIMITS["address"])
    if not _CIDR.match(value) or not is_ipv4(value.partition("/")[0]) or int(value.partition("/")[2]) > 32:
        section.fail(key, f"'{value}' is not an IPv4 address with prefix like 10.20.0.15/24")
    return value


def _interface(section: Section, switches: dict[str, Switch]) -> Interface:
    iface = Interface(
        name=section.identifier("name"),
        driver=section.text("driver", max_len=TEXT_LIMITS["driver"]),
        bus_info=section.text("bus_info", max_len=TEXT_LIMITS["bus_info"]),
        mac=_mac(section, "mac"),
        firmware=section.text("firmware", max_len=TEXT_LIMITS["firmware"]),
        speed_mbps=_whole(section, "speed_mbps"),
        port=section.choice("port", PORTS),
        switch=section.text("switch", max_len=TEXT_LIMITS["switch"]),
        carrier=section.boolean("carrier"),
        degraded=section.boolean("degraded", False),
        admin_up=section.boolean("admin_up", True),
        link_failure_count=_whole(section, "link_failure_count", 0),
        lacp=section.boolean("lacp", True),
        switch_port=_whole(section, "switch_port", 1),
        story_mii_down=section.boolean("story_mii_down", False),
    )
    if iface.switch not in switches:
        section.fail("switch", f"unknown switch '{iface.switch}' (switches: {', '.join(switches)})")  # never empty
    section.done()
    return iface


def _bond(section: Section, interfaces: dict[str, Interface]) -> Bond:
    bond = Bond(
        name=section.identifier("name"),
        mode=section.choice("mode", BOND_MODES),
        miimon=_whole(section, "miimon"),
        slaves=_slave_list(section, "slaves", interfaces),
        address=_cidr(section, "address"),
        active_slave=section.value("active_slave", None),
        primary=section.value("primary", None),
        updelay=_whole(section, "updelay", 0),
        downdelay=_whole(section, "downdelay", 0),
        arp_interval=_whole(section, "arp_interval", 0),
        arp_ip_targets=_ipv4_list(section, "arp_ip_targets"),
        admin_up=section.boolean("admin_up", True),
        mtu=_whole(section, "mtu", 1500),
        lacp_rate=section.choice("lacp_rate", LACP_RATES, "slow"),
        ad_select=section.choice("ad_select", AD_SELECT, "stable"),
        min_links=_whole(section, "min_links", 0),
        xmit_hash_policy=section.choice("xmit_hash_policy", XMIT_HASH_POLICIES, "layer2"),
    )
    for key in ("active_slave", "primary"):
        value = getattr(bond, key)
        if value is not None and value not in bond.slaves:
            section.fail(key, f"'{value}' is not one of the bond's slaves ({', '.join(bond.slaves)})")
    section.done()
    return bond


def parse_host(section: Section) -> HostState:
    """Build the starting host state from a scenario's ``host:`` mapping."""
    switches: dict[str, Switch] = {}
    for index, raw, line in section.items("switches", min_items=1, max_items=16):
        sw = Section(section.path, f"host switch #{index + 1}", raw, line)
        switch = Switch(sw.identifier("name"), sw.text("label", max_len=TEXT_LIMITS["label"]),
                        sw.choice("state", SWITCH_STATES),
                        mtu=_whole(sw, "mtu", 9216),
                        system_mac=_mac(sw, "system_mac") if sw.has("system_mac") else "00:00:00:00:00:00",
                        lacp_key=_whole(sw, "lacp_key", 0))
        sw.done()
        if switch.name in switches:
            sw.fail("name", f"duplicate switch name '{switch.name}'")
        switches[switch.name] = switch
    interfaces: dict[str, Interface] = {}
    for index, raw, line in section.items("interfaces", min_items=1, max_items=16):
        iface = _interface(Section(section.path, f"host interface #{index + 1}", raw, line), switches)
        if iface.name in interfaces or iface.name in switches:
            Section(section.path, f"host interface #{index + 1}", raw, line).fail("name", f"duplicate name '{iface.name}'")
        interfaces[iface.name] = iface
    bond = _bond(section.section("bond"), interfaces)  # labelled "host bond" in messages
    gateway = section.text("gateway", max_len=15)
    if not is_ipv4(gateway):
        section.fail("gateway", f"'{gateway}' is not an IPv4 address")
    state = HostState(
        hostname=section.identifier("hostname"),
        kernel_release=section.text("kernel_release", max_len=64),
        uptime_minutes=section.integer("uptime_minutes", minimum=1, maximum=10_000_000),
        gateway=gateway,
        firmware_baseline=section.text("firmware_baseline", max_len=60),
        console_minutes=section.integer("console_minutes", 1, maximum=60),
        interfaces=interfaces,
        bond=bond,
        switches=switches,
    )
    for index, raw, line in section.items("history", default=[], max_items=50):
        ev = Section(section.path, f"host history #{index + 1}", raw, line)
        event = HistoryEvent(
            at_minutes=ev.integer("at_minutes", minimum=-100_000, maximum=0),
            note=ev.text("note", max_len=200),
            effects=parse_effects(ev, "effects", state),
        )
        ev.done()
        state.history.append(event)
    section.done()
    return state


#: effects that are events rather than facts (``host.reboot: true``, ``eth1.reset: true``): the
#: kernel runs them in order; field changes listed just before one happen while it has the
#: devices down (see :func:`drillbook.host.kernel.apply`)
HOST_ACTIONS = ("reboot", "restart_networking")
INTERFACE_ACTIONS = ("reset", "reenslave")


def parse_effects(section: Section, key: str, state: HostState) -> dict[str, Any]:
    """Validate an ``effects`` mapping against the host: each key names a real field (or an
    action), each value has that field's type."""
    raw = section.value(key, {})
    if not isinstance(raw, dict):
        section.fail(key, f"must be a mapping like 'eth1.firmware: \"0x800003de\"', got {describe(raw)}")
    inner = Section(section.path, f"{section.where} {key}".strip(), raw, section.line_of(key))
    effects: dict[str, Any] = {}
    for dotted in raw:
        value = inner.value(dotted)
        obj, _, attr = dotted.partition(".")
        actions = HOST_ACTIONS if obj == "host" else INTERFACE_ACTIONS if obj in state.interfaces else ()
        if obj == "host" or attr in actions:
            if attr not in actions:
                inner.fail(dotted, f"'host' has no action '{attr}' (actions: {', '.join(HOST_ACTIONS)})")
            if value is not True:
                inner.fail(dotted, f"an action is switched on with 'true', got {describe(value)}")
            effects[dotted] = value
            continue
        target = state.target(obj)
        if target is None:
            names = ["host", *state.interfaces, state.bond.name, *state.switches]
            inner.fail(dotted, f"unknown host object '{obj}' (known: {', '.join(names)})")
        known = {f.name: f for f in fields(target) if f.name != "name"}
        if attr not in known:
            inner.fail(dotted, f"'{obj}' has no field '{attr}' (fields: {', '.join(known)})")
        current = getattr(target, attr)
        _check_effect_value(inner, dotted, attr, value, current, state)
        effects[dotted] = value
    return effects


def _check_effect_value(section: Section, key: str, attr: str, value: Any, current: Any, state: HostState) -> None:
    """The same rules as the ``host:`` section's, for the value an effect sets (list items too)."""
    if attr in ("active_slave", "primary"):
        if value is not None and value not in state.bond.slaves:
            section.fail(key, f"'{value}' is not one of the bond's slaves ({', '.join(state.bond.slaves)})")
        return
    if attr == "slaves":
        _slave_list(section, key, state.interfaces)
        return
    if attr == "arp_ip_targets":
        _ipv4_list(section, key)
        return
    if attr == "mode" and value not in BOND_MODES:
        section.fail(key, f"unknown bond mode '{value}' (expected one of: {', '.join(BOND_MODES)})")
    if attr == "state" and value not in SWITCH_STATES:
        section.fail(key, f"unknown switch state '{value}' (expected one of: {', '.join(SWITCH_STATES)})")
    allowed = {"lacp_rate": LACP_RATES, "ad_select": AD_SELECT, "xmit_hash_policy": XMIT_HASH_POLICIES}.get(attr)
    if allowed is not None and value not in allowed:
        section.fail(key, f"unknown {attr} '{value}' (expected one of: {', '.join(allowed)})")
    expected_type = type(current)
    if isinstance(current, bool) != isinstance(value, bool) or not isinstance(value, expected_type):
        section.fail(key, f"must be {describe(current)}, got {describe(value)}")
    if attr in RANGES:
        _whole(section, key)
    elif attr in TEXT_LIMITS:
        section.text(key, max_len=TEXT_LIMITS[attr])
    if attr in ("mac", "system_mac"):
        _mac(section, key)
    elif attr == "address":
        _cidr(section, key)
    elif attr == "port":
        section.choice(key, PORTS)
    elif attr == "switch" and value not in state.switches:
        section.fail(key, f"unknown switch '{value}' (switches: {', '.join(state.switches)})")
