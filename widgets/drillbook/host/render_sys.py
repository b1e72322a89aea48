"""System tools' output from the host state: dmesg, journalctl -k, date, uptime, ping."""

from __future__ import annotations

import datetime as dt
import ipaddress
import zlib

from ._templates import tool
from .model import HostState, KernelState
from .status import path_mtu, traffic_path


def _kernel(state: HostState) -> KernelState:
    assert state.kernel is not None, "boot() the host first"
    return state.kernel


def now(state: HostState) -> dt.datetime:
    return _kernel(state).now


def dmesg(state: HostState, *, human: bool = False) -> str:
    """``dmesg`` (``[%5lu.%06lu]`` uptime stamps) or ``dmesg -T`` (ctime-like wall clock)."""
    kernel = _kernel(state)
    lines = []
    for at, message in kernel.log:
        if human:
            stamp = (kernel.booted + dt.timedelta(seconds=at)).strftime("%a %b %e %H:%M:%S %Y")
            lines.append(f"[{stamp}] {message}")
        else:
            micros = int(round(at * 1_000_000))
            lines.append(f"[{micros // 1_000_000:5d}.{micros % 1_000_000:06d}] {message}")
    return "\n".join(lines)


def journal_kernel(state: HostState) -> str:
    """``journalctl -k``: the same messages with syslog-style stamps."""
    kernel = _kernel(state)
    return "\n".join(
        f"{(kernel.booted + dt.timedelta(seconds=at)).strftime('%b %d %H:%M:%S')} {state.hostname} kernel: {m}"
        for at, m in kernel.log
    )


def date(state: HostState) -> str:
    """coreutils ``date`` in the C locale, UTC."""
    return now(state).strftime("%a %b %e %H:%M:%S UTC %Y")


def uptime(state: HostState) -> str:
    """procps ``uptime``: `` 03:25:14 up 9 days,  0:04,  1 user,  load average: ...``."""
    kernel = _kernel(state)
    total_min = int(kernel.uptime_s // 60)
    days, rest = divmod(total_min, 1440)
    hours, minutes = divmod(rest, 60)
    day_text = f"{days} day{'s' if days != 1 else ''}, " if days else ""
    hour_text = f"{hours:2d}:{minutes:02d}, " if hours else f"{minutes} min, "
    return tool("uptime", clock=now(state).strftime(" %H:%M:%S"), days=day_text, hours=hour_text)


def ping(state: HostState, host: str, count: int, interrupted: bool = False, *, size: int = 56,
         dont_fragment: bool = False) -> tuple[str, int, float]:
    """iputils ``ping [-M do] [-s size] -c count host``: (output, exit status, seconds it took).

    ``size`` is the ICMP payload (the packet is 28 bytes more). With ``-M do`` a packet bigger
    than the route's MTU fails locally; without it the kernel fragments it. Frames bigger than
    a switch hop's MTU vanish without an answer (see :func:`drillbook.host.status.path_mtu`)."""
    try:
        target = ipaddress.ip_address(host)
    except ValueError:
        if host in ("localhost", state.hostname):
            target = ipaddress.ip_address("127.0.0.1")
        else:
            return tool("ping_name", host=host), 2, 0.0
    shown = str(target)
    own = ipaddress.ip_interface(state.bond.address)
    if target.is_loopback or target == own.ip:
        path = "ok-local"
    else:
        path = traffic_path(state)
    if path == "no-route":
        return tool("ping_network_unreachable"), 2, 0.0
    lines = [tool("ping_header", host=shown, size=size, total=size + 28)]
    seed = zlib.crc32(f"{shown}{_kernel(state).uptime_s:.0f}".encode())
    elapsed_ms = (count - 1) * 1000 + 5 + seed % 60
    route_mtu = state.bond.mtu
    if path != "ok-local" and dont_fragment and size + 28 > route_mtu:
        lines += [tool("ping_local_error", mtu=route_mtu)] * count
        if interrupted:
            lines.append("^C")
        lines += ["", tool("ping_stats_title", host=shown),
                  tool("ping_stats_errors", sent=count, received=0, errors=count, loss=100, time=elapsed_ms)]
        return "\n".join(lines), 1, elapsed_ms / 1000
    if path == "ok" and min(size + 28, route_mtu) > path_mtu(state):
        path = "blackhole"  # a switch port drops the frame; layer 2 sends no ICMP back
    if path in ("ok", "ok-local"):
        base = 0.035 if path == "ok-local" else 0.180
        times = [round(base + ((seed >> (i * 3)) % 40) / 1000, 3) for i in range(count)]
        lines += [tool("ping_reply", bytes=size + 8, host=shown, seq=i + 1, ms=f"{t:.3f}")
                  for i, t in enumerate(times)]
        if interrupted:
            lines.append("^C")
        avg = sum(times) / count
        mdev = (sum((t - avg) ** 2 for t in times) / count) ** 0.5
        lines += ["", tool("ping_stats_title", host=shown),
                  tool("ping_stats", sent=count, received=count, loss=0, time=elapsed_ms),
                  tool("ping_rtt", min=f"{min(times):.3f}", avg=f"{avg:.3f}", max=f"{max(times):.3f}",
                       mdev=f"{mdev:.3f}")]
        return "\n".join(lines), 0, elapsed_ms / 1000
    if path == "no-carrier":
        source = str(own.ip)
        lines += [tool("ping_unreachable", source=source, seq=i + 1) for i in range(count)]
        if interrupted:
            lines.append("^C")
        lines += ["", tool("ping_stats_title", host=shown),
                  tool("ping_stats_errors", sent=count, received=0, errors=count, loss=100, time=elapsed_ms)]
        # iputils prints "pipe N" whenever more than one probe was outstanding at once; here
        # ARP gives up after ~3 s, so up to 3 probes wait for it together
        pipesize = min(count, 3)
        if pipesize > 1:
            lines.append(f"pipe {pipesize}")
        return "\n".join(lines), 1, elapsed_ms / 1000
    # blackhole: frames leave on a NIC that passes no traffic; nothing ever answers
    if interrupted:
        lines.append("^C")
    lines += ["", tool("ping_stats_title", host=shown),
              tool("ping_stats", sent=count, received=0, loss=100, time=elapsed_ms)]
    return "\n".join(lines), 1, elapsed_ms / 1000
