"""The simulated kernel: turns changes of the host's facts into bonding decisions and dmesg lines.

Every mutation of a booted :class:`HostState` goes through :func:`apply` (or the helpers below,
which end in :func:`settle`), so the log always explains the state: a NIC line when the
carrier changes, the bond's verdict within one miimon period, then failover lines, in the
order and wording of kernel >= 5.3 (reference §2).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ._templates import kmsg
from .model import HostState, KernelState
from .status import USES_PRIMARY, best_slave, bond_carrier, monitor_sees_up, monitoring, nic_link, speed_text

#: seconds from a carrier change to the bond monitor's verdict (a real capture shows ~85 ms)
MONITOR_DELAY = 0.083315
#: seconds between consecutive lines of one decision
LINE_STEP = 0.000006
#: boot timeline (seconds since boot): driver probe, link up, enslave
PROBE_AT, LINK_AT, ENSLAVE_AT = 3.118402, 8.903117, 12.401233
#: seconds from ``ip link set up|down`` to the kernel's reaction
ADMIN_UP_DELAY, ADMIN_DOWN_DELAY = 1.204031, 0.184219
_UNSET: Any = object()


class _Log:
    """Appends lines at increasing timestamps starting from ``at``."""

    def __init__(self, kernel: KernelState, at: float) -> None:
        self.kernel = kernel
        self.at = at

    def add(self, line: str, step: float = LINE_STEP) -> None:
        self.kernel.log.append((self.at, line))
        self.at += step


def _nic(state: HostState, name: str) -> dict[str, Any]:
    iface = state.interfaces[name]
    return {"driver": iface.driver, "bus": iface.bus_info, "dev": name}


def _slave(state: HostState, name: str) -> dict[str, Any]:
    return {"bond": state.bond.name, "dev": name}


def boot(state: HostState, booted: dt.datetime, uptime_s: float) -> HostState:
    """Boot the host at ``booted``: probe the NICs, bring links up, enslave them into the bond,
    then set the clock to ``uptime_s``. Returns ``state`` (now with a kernel)."""
    kernel = state.kernel = KernelState(booted=booted)
    log = _Log(kernel, PROBE_AT)
    for name, iface in state.interfaces.items():
        if iface.degraded and iface.firmware != state.firmware_baseline:
            log.add(kmsg("fw_mismatch", **_nic(state, name), firmware=iface.firmware,
                         baseline=state.firmware_baseline), step=0.204117)
    log.at = LINK_AT
    for name, iface in state.interfaces.items():
        kernel.nic_link[name] = nic_link(iface)
        if kernel.nic_link[name]:
            log.add(kmsg("nic_up", **_nic(state, name), speed=speed_text(iface.speed_mbps)), step=0.051377)
    declared = state.bond.active_slave
    state.bond.active_slave = None
    log.at = ENSLAVE_AT
    _enslave_all(state, log)
    if declared is not None and declared != state.bond.active_slave:
        settle(state, forced=declared, at=log.at + 0.3)
    kernel.uptime_s = max(uptime_s, log.at)
    return state


def _enslave_all(state: HostState, log: _Log) -> None:
    """Enslave every slave in order (bond_enslave): the first usable one becomes active."""
    kernel = state.kernel
    assert kernel is not None
    bond = state.bond
    for name in bond.slaves:
        up = monitor_sees_up(state.interfaces[name]) if monitoring(state) else nic_link(state.interfaces[name])
        kernel.slave_up[name] = up
        role = "a backup"
        if bond.mode in USES_PRIMARY and up and best_slave(state) == name and bond.active_slave != name:
            log.add(kmsg("new_active", **_slave(state, name)), step=0.000328)
            bond.active_slave = name
            role = "an active"
        link = "an up" if up else "a down"
        log.add(kmsg("enslave", **_slave(state, name), role=role, link=link), step=0.051309)
    kernel.bond_carrier = bond_carrier(state)


def settle(state: HostState, *, forced: Any = _UNSET, at: float | None = None) -> None:
    """Let the kernel notice what changed since its last look and log it.

    ``forced`` is an operator's explicit active slave (an effect on ``bond0.active_slave``): it
    wins over the kernel's own choice, even onto a slave whose MII is down.
    """
    kernel = state.kernel
    assert kernel is not None, "boot() the host first"
    log = _Log(kernel, kernel.uptime_s if at is None else at)
    nic_logged = False
    for name, iface in state.interfaces.items():
        link = nic_link(iface)
        if link != kernel.nic_link.get(name):
            kernel.nic_link[name] = link
            if iface.admin_up:  # an admin down closes the port without the watchdog's message
                key = "nic_up" if link else "nic_down"
                log.add(kmsg(key, **_nic(state, name), speed=speed_text(iface.speed_mbps)), step=0)
                nic_logged = True
    if nic_logged:
        log.at += MONITOR_DELAY
    try:
        _decide(state, log, forced)
    finally:
        kernel.uptime_s = max(kernel.uptime_s, log.at)


def _decide(state: HostState, log: _Log, forced: Any) -> None:
    """The bond monitor's verdicts, then active-slave reselection (bond_select_active_slave)."""
    kernel = state.kernel
    assert kernel is not None
    bond = state.bond
    changed = False
    if monitoring(state):
        for name in bond.slaves:
            iface = state.interfaces[name]
            up = monitor_sees_up(iface)
            if up == kernel.slave_up.get(name):
                continue
            changed = True
            kernel.slave_up[name] = up
            if up and bond.miimon > 0:
                log.add(kmsg("slave_up_mii", **_slave(state, name), mbps=iface.speed_mbps))
            elif up:
                log.add(kmsg("slave_up_arp", **_slave(state, name)))
            else:
                iface.link_failure_count += 1
                log.add(kmsg("slave_down", **_slave(state, name)))
    if bond.mode not in USES_PRIMARY:
        kernel.bond_carrier = bond_carrier(state)
        return
    current = bond.active_slave
    if forced is not _UNSET:
        new = forced
    elif changed or (current is not None and not kernel.slave_up.get(current, False)):
        new = best_slave(state) if bond.admin_up else current
    else:
        new = current
    if new != current:
        bond.active_slave = new
        if new is not None:
            log.add(kmsg("new_active", **_slave(state, new)))
        carrier = bond_carrier(state)
        if carrier != kernel.bond_carrier:
            log.add(kmsg("active_up" if carrier else "no_active", bond=bond.name))
    kernel.bond_carrier = bond_carrier(state)


def apply(state: HostState, effects: dict[str, Any], at: float | None = None) -> None:
    """Apply scenario effects (``object.field: value``) and let the kernel react at ``at``."""
    key = f"{state.bond.name}.active_slave"
    previous = state.bond.active_slave
    state.apply(effects)
    if key in effects:
        state.bond.active_slave = previous  # the kernel makes the switch, and logs it
        settle(state, forced=effects[key], at=at)
    else:
        settle(state, at=at)


def advance(state: HostState, seconds: float) -> None:
    """Move the simulated clock forward (time only moves forward)."""
    assert state.kernel is not None
    state.kernel.uptime_s += max(0.0, seconds)


def set_admin(state: HostState, name: str, up: bool) -> None:
    """``ip link set <dev> up|down`` / ``ifup`` / ``ifdown`` on a NIC or the bond."""
    target = state.bond if name == state.bond.name else state.interfaces[name]
    target.admin_up = up
    assert state.kernel is not None
    # the port needs a moment to close; the watchdog a longer one to see the link come back
    settle(state, at=state.kernel.uptime_s + (ADMIN_UP_DELAY if up else ADMIN_DOWN_DELAY))


def restart_networking(state: HostState) -> None:
    """``systemctl restart networking``: the bond is torn down (slaves released, counters
    reset) and brought up again with the same slaves, as at boot."""
    kernel = state.kernel
    assert kernel is not None
    bond = state.bond
    log = _Log(kernel, kernel.uptime_s + 0.118204)
    for name in bond.slaves:
        role = "active" if name == bond.active_slave else "backup"
        log.add(kmsg("release", **_slave(state, name), role=role), step=0.010417)
        state.interfaces[name].link_failure_count = 0
        kernel.slave_up[name] = False
    bond.active_slave = None
    bond.admin_up = True
    kernel.bond_carrier = False
    log.at += 1.402255
    _enslave_all(state, log)
    kernel.uptime_s = log.at
