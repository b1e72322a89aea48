"""The simulated kernel: turns changes of the host's facts into bonding decisions and dmesg lines.

Every mutation of a booted :class:`HostState` goes through :func:`apply` (or the helpers below),
so the log always explains the state, in the order and wording of kernel >= 5.3 (sources per
line in docs/accuracy.md): a NIC line when the carrier changes, the bond's verdict within one
miimon period, then failover lines. The rules the kernel enforces are enforced here too: an
active slave can only be forced onto a slave whose link is up, the bond's carrier never rises
without an up slave, a driver shows the firmware it read at probe until the device is reset.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ._templates import kmsg
from .model import HostState, KernelState
from .status import USES_PRIMARY, best_slave, bond_carrier, bond_mac, monitor_sees_up, monitoring, nic_link, speed_text

#: seconds from a carrier change to the bond monitor's verdict (a real capture shows ~85 ms)
MONITOR_DELAY = 0.083315
#: seconds between consecutive lines of one decision
LINE_STEP = 0.000006
#: boot timeline (seconds since boot): driver load, enslave (ifupdown), then each link comes up
DRIVER_AT, ENSLAVE_AT = 3.084117, 12.401233
#: bond_enslave() opens the slave itself; ixgbe's watchdog reports the link this much later
LINK_UP_DELAY = 1.874291
#: uptime at which a rebooted host's bond is up (firmware POST happens before second 0)
REBOOT_UPTIME = 41.309127
#: seconds from ``ip link set up|down`` to the kernel's reaction
ADMIN_UP_DELAY, ADMIN_DOWN_DELAY = 1.204031, 0.184219


class _Log:
    """Appends lines at increasing timestamps starting from ``at``."""

    def __init__(self, kernel: KernelState, at: float) -> None:
        self.kernel = kernel
        self.at = at

    def add(self, line: str, step: float = LINE_STEP) -> None:
        self.kernel.log.append((self.at, line))
        self.at += step


def _kernel(state: HostState) -> KernelState:
    assert state.kernel is not None, "boot() the host first"
    return state.kernel


def _nic(state: HostState, name: str) -> dict[str, Any]:
    iface = state.interfaces[name]
    return {"driver": iface.driver, "bus": iface.bus_info, "dev": name}


def _slave(state: HostState, name: str) -> dict[str, Any]:
    return {"bond": state.bond.name, "dev": name}


# -- boot ------------------------------------------------------------------------------------

def boot(state: HostState, booted: dt.datetime, uptime_s: float) -> HostState:
    """Boot the host at ``booted``: the kernel banner at [0.000000], the NIC driver's probe,
    ifupdown enslaving the NICs (down links: bond_enslave opens them), then each link coming
    up. Sets the clock to ``uptime_s`` (or the end of the boot log). Returns ``state``."""
    kernel = state.kernel = KernelState(booted=booted)
    log = _Log(kernel, 0.0)
    log.add(kmsg("banner", release=state.kernel_release), step=0)
    log.add(kmsg("cmdline", release=state.kernel_release), step=0)
    log.at = DRIVER_AT
    if any(i.driver == "ixgbe" for i in state.interfaces.values()):
        log.add(kmsg("ixgbe_driver"), step=0.000002)
        log.add(kmsg("ixgbe_copyright"), step=0.034283)
    for name in state.interfaces:
        _probe(state, log, name)
    declared = state.bond.active_slave
    log.at = ENSLAVE_AT
    _bring_up(state, log)
    if declared is not None and declared != state.bond.active_slave:
        set_active_slave(state, declared, at=log.at + 0.3)
    kernel.uptime_s = max(uptime_s, log.at)
    return state


def _probe(state: HostState, log: _Log, name: str) -> None:
    """ixgbe_probe(): reads the NVM version once (what ``ethtool -i`` shows until the next
    probe) and prints the MAC and the adapter name. The seed's stylised firmware line is
    printed here too, between real ones."""
    kernel = log.kernel
    iface = state.interfaces[name]
    kernel.probed_firmware[name] = iface.firmware
    kernel.nic_link[name] = False
    nic = _nic(state, name)
    log.add(kmsg("probe_mac", **nic, mac=iface.mac), step=0.000412)
    if iface.degraded and iface.firmware != state.firmware_baseline:
        log.add(kmsg("fw_mismatch", **nic, firmware=iface.firmware, baseline=state.firmware_baseline),
                step=0.000388)
    log.add(kmsg("probe_done", **nic), step=0.204117)


def _bring_up(state: HostState, log: _Log) -> None:
    """ifup bond0: enslave each slave (its link is still down: bond_enslave just opened it),
    then each link comes up and the monitor enables it; the first becomes the active one."""
    kernel = log.kernel
    bond = state.bond
    bond.admin_up = True
    bond.active_slave = None
    kernel.bond_carrier = False
    for name in bond.slaves:
        state.interfaces[name].admin_up = True
        _enslave(state, log, name)
    log.at += LINK_UP_DELAY
    for name in bond.slaves:
        _link_change(state, log, [name])
        log.at += 0.051377


def _enslave(state: HostState, log: _Log, name: str) -> None:
    """bond_enslave(): the new slave's initial link state, bond_set_carrier(), then
    bond_select_active_slave() (so an up slave is made active before the Enslaving line)."""
    kernel = log.kernel
    bond = state.bond
    iface = state.interfaces[name]
    if not monitoring(state):
        up = True  # no link monitoring: every new slave counts as up
    elif bond.miimon > 0:
        up = monitor_sees_up(state, iface, kernel.nic_link.get(name, False))
    else:
        up = kernel.nic_link.get(name, False)
    kernel.slave_up[name] = up
    kernel.bond_carrier = bond_carrier(state)
    if bond.mode in USES_PRIMARY:
        best = best_slave(state)
        if best is not None and best != bond.active_slave and kernel.slave_up.get(best, False):
            bond.active_slave = best
            log.add(kmsg("new_active", **_slave(state, best)), step=0.000328)
    role = "an active" if bond.active_slave == name else "a backup"
    log.add(kmsg("enslave", **_slave(state, name), role=role, link="an up" if up else "a down"), step=0.051309)


def _release(state: HostState, log: _Log, name: str, remaining: list[str]) -> None:
    """__bond_release_one(): the slave is flagged inactive first (so the line always says
    "backup" in active-backup), the MAC warning if the bond keeps wearing its address, then a
    new active slave among ``remaining`` if the released one was active."""
    kernel = log.kernel
    bond = state.bond
    log.add(kmsg("release", **_slave(state, name)))
    iface = state.interfaces[name]
    if remaining and iface.mac == bond_mac(state):
        log.add(kmsg("perm_in_use", **_slave(state, name), mac=iface.mac))
    kernel.slave_up[name] = False
    kernel.nic_link[name] = False
    iface.admin_up = False  # dev_close()
    if bond.active_slave == name:
        bond.active_slave = None
        candidates = [s for s in remaining if kernel.slave_up.get(s, False)]
        best = bond.primary if bond.primary in candidates else (candidates[0] if candidates else None)
        if best is not None:
            bond.active_slave = best
            log.add(kmsg("new_active", **_slave(state, best)))
    kernel.bond_carrier = any(kernel.slave_up.get(s, False) for s in remaining) and bond.admin_up


# -- the monitor -------------------------------------------------------------------------------

def _link_change(state: HostState, log: _Log, names: list[str]) -> None:
    """The driver reports carrier changes of ``names``; the monitor decides one period later."""
    kernel = log.kernel
    logged = False
    for name in names:
        iface = state.interfaces[name]
        link = nic_link(iface)
        if link == kernel.nic_link.get(name):
            continue
        kernel.nic_link[name] = link
        if iface.admin_up:  # an admin down closes the port without the watchdog's message
            key = "nic_up" if link else "nic_down"
            log.add(kmsg(key, **_nic(state, name), speed=speed_text(iface.speed_mbps)), step=0)
            logged = True
    if logged:
        log.at += MONITOR_DELAY
    _decide(state, log)


def settle(state: HostState, *, at: float | None = None) -> None:
    """Let the kernel notice what changed since its last look and log it."""
    kernel = _kernel(state)
    log = _Log(kernel, kernel.uptime_s if at is None else at)
    try:
        _link_change(state, log, list(state.interfaces))
    finally:
        kernel.uptime_s = max(kernel.uptime_s, log.at)


def _decide(state: HostState, log: _Log) -> None:
    """The bond monitor's verdicts (bond_miimon_commit / the ARP monitor), then active-slave
    reselection (bond_select_active_slave) and its carrier message."""
    kernel = log.kernel
    bond = state.bond
    changed = False
    if monitoring(state):
        for name in bond.slaves:
            iface = state.interfaces[name]
            up = monitor_sees_up(state, iface, kernel.nic_link.get(name, False))
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
    new = current
    if changed or (current is not None and not kernel.slave_up.get(current, False)):
        new = best_slave(state) if bond.admin_up else current
    if new != current:
        bond.active_slave = new
        if new is not None:
            log.add(kmsg("new_active", **_slave(state, new)))
        carrier = bond_carrier(state)
        if carrier != kernel.bond_carrier:
            log.add(kmsg("active_up" if carrier else "no_active", bond=bond.name))
    kernel.bond_carrier = bond_carrier(state)


# -- operator actions --------------------------------------------------------------------------

def set_active_slave(state: HostState, name: str | None, at: float | None = None) -> bool:
    """``echo eth1 > /sys/class/net/bond0/bonding/active_slave`` (or ``ip link set bond0 type
    bond active_slave eth1``), as bond_option_active_slave_set() decides: only onto a slave whose
    link is up while another slave is active; otherwise the kernel logs its refusal and the
    write fails with EINVAL. Returns whether the kernel accepted it."""
    kernel = _kernel(state)
    bond = state.bond
    log = _Log(kernel, kernel.uptime_s if at is None else at)
    try:
        if name is None:  # an empty write: let the kernel reselect
            _decide(state, log)
            return True
        if name == bond.active_slave:
            return True
        iface = state.interfaces[name]
        if bond.active_slave is not None and kernel.slave_up.get(name, False) and iface.admin_up \
                and kernel.nic_link.get(name, False):
            bond.active_slave = name
            log.add(kmsg("new_active", **_slave(state, name)))
            return True
        log.add(kmsg("active_refused", **_slave(state, name)))
        log.add(kmsg("option_invalid", bond=bond.name, option="active_slave", value=name))
        return False
    finally:
        kernel.uptime_s = max(kernel.uptime_s, log.at)


def set_mode(state: HostState, mode: str) -> str | None:
    """``ip link set bond0 type bond mode MODE``: bond_opt_check_deps() refuses while the bond
    has slaves (checked first) or is up (BOND_OPTFLAG_NOSLAVES, BOND_OPTFLAG_IFDOWN). Returns
    the refusal's reason (``"has slaves"``/``"is up"``) after logging it, or None if changed."""
    kernel = _kernel(state)
    bond = state.bond
    reason = "has slaves" if bond.slaves else "is up" if bond.admin_up else None
    if reason is None:
        bond.mode = mode
        return None
    log = _Log(kernel, kernel.uptime_s)
    log.add(kmsg("option_refused", bond=bond.name, option="mode", reason=reason))
    kernel.uptime_s = max(kernel.uptime_s, log.at)
    return reason


def reboot(state: HostState, at: float) -> None:
    """The host restarts ``at`` seconds into this boot: a new kernel, a new log from
    [0.000000], uptime from zero, link failure counters from zero, firmware read afresh."""
    kernel = _kernel(state)
    wall = kernel.booted + dt.timedelta(seconds=at)
    for iface in state.interfaces.values():
        iface.link_failure_count = 0
        iface.admin_up = True
    state.bond.active_slave = None  # nobody writes active_slave on the way up: the kernel picks
    boot(state, wall - dt.timedelta(seconds=REBOOT_UPTIME), uptime_s=REBOOT_UPTIME)


def restart_networking(state: HostState, at: float | None = None, changes: dict[str, Any] | None = None) -> None:
    """``systemctl restart networking`` (ifupdown + ifenslave): each slave is released in turn
    (the other one taking over if it can), the bond is deleted, ``changes`` happen while it is
    gone, then the bond is created and its slaves enslaved as at boot (counters from zero)."""
    kernel = _kernel(state)
    bond = state.bond
    log = _Log(kernel, (kernel.uptime_s if at is None else at) + 0.118204)
    remaining = list(bond.slaves)
    for name in bond.slaves:
        remaining.remove(name)
        _release(state, log, name, remaining)
        log.at += 0.010417
    log.add(kmsg("released_all", bond=bond.name), step=0.046721)
    state.apply(changes or {})
    for name in bond.slaves:
        state.interfaces[name].link_failure_count = 0
    log.at += 1.402255
    _bring_up(state, log)
    kernel.uptime_s = max(kernel.uptime_s, log.at)


def reset_device(state: HostState, name: str, at: float, changes: dict[str, Any] | None = None,
                 *, reprobe: bool = True) -> None:
    """A NIC leaves the bond and comes back. ``reprobe``: the device is reset and probed again
    (driver rebind, or the flash tool's reset), so the driver reads the NVM version afresh;
    otherwise it is just released and enslaved again (``ip link set eth1 nomaster`` ... ``master
    bond0``). ``changes`` happen while it is out."""
    kernel = _kernel(state)
    bond = state.bond
    log = _Log(kernel, at)
    enslaved = name in bond.slaves
    if enslaved:
        _release(state, log, name, [s for s in bond.slaves if s != name])
    state.interfaces[name].admin_up = False
    kernel.nic_link[name] = False
    if reprobe:
        log.add(kmsg("remove_done", **_nic(state, name)), step=2.113406)
    state.apply(changes or {})
    if reprobe:
        _probe(state, log, name)
    log.at += 0.904411
    if enslaved:
        state.interfaces[name].admin_up = True
        _enslave(state, log, name)
        log.at += LINK_UP_DELAY
        _link_change(state, log, [name])
    kernel.uptime_s = max(kernel.uptime_s, log.at)


def apply(state: HostState, effects: dict[str, Any], at: float | None = None) -> None:
    """Apply scenario effects in order, as the kernel would let them happen, from ``at``.

    Field changes (``eth1.degraded: false``) are facts; actions (``host.reboot``,
    ``host.restart_networking``, ``eth1.reset``, ``eth1.reenslave``) are events: field changes
    listed just before an action happen while it has the devices down. ``bond0.active_slave``
    is a write to the kernel, which may refuse it (and log why).
    """
    kernel = _kernel(state)
    cursor = kernel.uptime_s if at is None else at
    pending: dict[str, Any] = {}
    for key, value in effects.items():
        obj, _, attr = key.partition(".")
        if obj == "host" or (obj in state.interfaces and attr in ("reset", "reenslave")):
            if attr == "reboot":
                state.apply(pending)
                reboot(state, cursor)
            elif attr == "restart_networking":
                restart_networking(state, cursor, pending)
            else:
                reset_device(state, obj, cursor, pending, reprobe=attr == "reset")
            pending = {}
            cursor = _kernel(state).uptime_s + 0.5
        elif obj == state.bond.name and attr == "active_slave":
            cursor = _flush(state, pending, cursor)
            pending = {}
            set_active_slave(state, value, at=cursor)
            cursor = _kernel(state).uptime_s + 0.7
        else:
            pending[key] = value
    _flush(state, pending, cursor)


def _flush(state: HostState, changes: dict[str, Any], at: float) -> float:
    if not changes:
        return at
    state.apply(changes)
    settle(state, at=at)
    return _kernel(state).uptime_s


def advance(state: HostState, seconds: float) -> None:
    """Move the simulated clock forward (time only moves forward)."""
    _kernel(state).uptime_s += max(0.0, seconds)


def set_admin(state: HostState, name: str, up: bool) -> None:
    """``ip link set <dev> up|down`` / ``ifup`` / ``ifdown`` on a NIC or the bond."""
    target = state.bond if name == state.bond.name else state.interfaces[name]
    target.admin_up = up
    # the port needs a moment to close; the watchdog a longer one to see the link come back
    settle(state, at=_kernel(state).uptime_s + (ADMIN_UP_DELAY if up else ADMIN_DOWN_DELAY))
