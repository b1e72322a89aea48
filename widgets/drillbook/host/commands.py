"""The commands the practice console knows, each rendering from (or changing) the host state.

A command is ``fn(ctx, args, stdin) -> (output, exit status)``; ``args`` excludes the command
name. Nothing here starts a process: every answer is computed from :class:`HostState`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from regex import Pattern

from . import kernel, render_net, render_sys
from ..errors import ToolError
from ._grep import PatternError, compile_pattern
from ._templates import fill, tool
from .limits import Budget, LimitReached
from .model import BOND_MODES, HostState

#: longest simulated ``sleep``; a console must not stall a lesson
MAX_SLEEP_S = 600


@dataclass
class Ctx:
    """Per-line bookkeeping; ``budget`` is the submission's allowance (time, output), asked
    before a command spends simulated time or builds output."""

    state: HostState
    history: list[str] = field(default_factory=list)
    budget: Budget = field(default_factory=Budget)
    clear: bool = False


Output = tuple[str, int]
Command = Callable[[Ctx, list[str], "str | None"], Output]
COMMANDS: dict[str, Command] = {}
#: commands that cost no console time (reading the help is not investigating)
FREE = {"help", "history", "clear", "exit", "logout"}


def command(*names: str) -> Callable[[Command], Command]:
    def register(fn: Command) -> Command:
        for name in names:
            COMMANDS[name] = fn
        return fn
    return register


def _dev_arg(args: list[str]) -> str | None:
    """The device of ``ip link show [dev] X``."""
    rest = [a for a in args if a not in ("show", "list", "ls", "lst", "dev")]
    return rest[0] if rest else None


def _safe(fn: Callable[[], str]) -> Output:
    try:
        return fn(), 0
    except ToolError as exc:
        return exc.output, 1


# -- files -------------------------------------------------------------------------------------

def read_file(state: HostState, path: str) -> str:
    """A file's content as ``cat`` would print it; :class:`ToolError` carries cat's complaint."""
    clean = re.sub(r"/+", "/", path)
    if clean in ("/proc/net/bonding", "/proc/net/bonding/", "/sys/class/net", "/sys/class/net/"):
        raise ToolError(tool("is_directory", path=path))
    if clean == f"/proc/net/bonding/{state.bond.name}":
        return render_net.proc_bonding(state)
    if clean == "/etc/hostname":
        return state.hostname
    if clean.startswith("/sys/"):
        return render_net.sysfs(state, clean)
    raise ToolError(tool("no_such_file", path=path))


@command("cat")
def cmd_cat(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    files = [a for a in args if not a.startswith("-") or a == "-"]
    if not files:
        return stdin or "", 0
    outputs, status = [], 0
    for path in files:
        try:
            outputs.append(read_file(ctx.state, path))
        except ToolError as exc:
            outputs.append(exc.output)
            status = 1
    return "\n".join(o for o in outputs if o), status


@command("ls")
def cmd_ls(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    paths = [a for a in args if not a.startswith("-")] or ["/root"]
    listings = {"/proc/net/bonding": ctx.state.bond.name, "/sys/class/net": "  ".join(
        [ctx.state.bond.name, "bonding_masters", *ctx.state.interfaces, "lo"]),
        f"/sys/class/net/{ctx.state.bond.name}/bonding": "active_slave  arp_interval  arp_ip_target  "
        "downdelay  fail_over_mac  mii_status  miimon  mode  num_grat_arp  primary  primary_reselect  "
        "slaves  updelay  use_carrier", "/root": ""}
    out = []
    for path in paths:
        key = path.rstrip("/") or "/"
        if key not in listings:
            return tool("ls_no_such_file", path=path), 2
        out.append(listings[key])
    return "\n".join(o for o in out if o), 0


# -- network tools -----------------------------------------------------------------------------

@command("ethtool")
def cmd_ethtool(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    if len(args) == 2 and args[0] in ("-i", "--driver"):
        return _safe(lambda: render_net.ethtool_driver(ctx.state, args[1]))
    if len(args) == 1 and not args[0].startswith("-"):
        return _safe(lambda: render_net.ethtool(ctx.state, args[0]))
    if args and args[0].startswith("-") and args[0] not in ("-i", "--driver"):
        return tool("ethtool_not_simulated", flag=args[0]), 1
    return tool("ethtool_bad_args"), 1


@command("ip")
def cmd_ip(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    brief = False
    while args and args[0].startswith("-"):
        flag = args.pop(0)
        if flag in ("-br", "-brief", "--brief"):
            brief = True
        elif flag in ("-4", "-6", "-c", "-color", "--color"):
            continue
        else:
            return tool("ip_not_simulated", flag=flag), 1
    obj = args.pop(0) if args else ""
    state = ctx.state
    if obj in ("l", "li", "link"):
        if args and args[0] == "set":
            return _ip_link_set(ctx, args[1:])
        return _safe(lambda: render_net.ip_brief(state, _dev_arg(args), addr=False) if brief
                     else render_net.ip_link(state, _dev_arg(args)))
    if obj in ("a", "ad", "addr", "address"):
        return _safe(lambda: render_net.ip_brief(state, _dev_arg(args), addr=True) if brief
                     else render_net.ip_addr(state, _dev_arg(args)))
    if obj in ("r", "ro", "route"):
        if args[:1] == ["get"] and len(args) >= 2:
            return _safe(lambda: render_net.ip_route_get(state, args[1]))
        return _ip_route(state), 0
    if obj == "":
        return tool("ip_usage"), 255
    return tool("ip_unknown_object", obj=obj), 1


def _ip_route(state: HostState) -> str:
    from .status import bond_carrier
    import ipaddress

    bond = state.bond
    if not bond.admin_up:
        return ""
    down = "" if bond_carrier(state) else " linkdown"
    net = ipaddress.ip_interface(bond.address)
    # ifupdown adds the gateway with `ip route add default via GW dev IF onlink`; its protocol
    # is "boot", which iproute2 does not print
    return (f"default via {state.gateway} dev {bond.name} onlink{down}\n"
            f"{net.network} dev {bond.name} proto kernel scope link src {net.ip}{down}")


def _ip_link_set(ctx: Ctx, args: list[str]) -> Output:
    words = [a for a in args if a != "dev"]
    if len(words) == 2 and words[1] in ("up", "down"):
        return _admin(ctx, words[0], words[1] == "up", ifupdown=None)
    if len(words) == 3 and words[1] == "mtu":
        return _set_mtu(ctx.state, words[0], words[2])
    if len(words) == 5 and words[0] == ctx.state.bond.name and words[1:4] == ["type", "bond", "active_slave"]:
        return _active_slave(ctx, words[4])
    if len(words) == 5 and words[0] == ctx.state.bond.name and words[1:4] == ["type", "bond", "mode"]:
        return _mode(ctx, words[4])
    return tool("ip_link_set_only"), 1


def _set_mtu(state: HostState, dev: str, value: str) -> Output:
    """``ip link set bond0 mtu N``: the bonding driver passes the MTU on to every slave."""
    if dev not in state.interfaces and dev != state.bond.name:
        return tool("ip_cannot_find_device", dev=dev), 1
    if not value.isdigit():
        return tool("ip_invalid_mtu", value=value), 255
    if dev != state.bond.name:
        return tool("ip_mtu_on_slave", dev=dev, bond=state.bond.name), 1
    mtu = int(value)
    if not 68 <= mtu <= 9000:
        return tool("ip_mtu_too_big" if mtu > 9000 else "ip_mtu_too_small"), 2
    state.bond.mtu = mtu
    return "", 0


def _mode(ctx: Ctx, mode: str) -> Output:
    """iproute2 checks the name (iplink_bond.c), the kernel whether the bond may change mode."""
    if mode not in BOND_MODES:
        return tool("ip_invalid_mode", value=mode), 255
    ctx.budget.spend(0.1)
    reason = kernel.set_mode(ctx.state, mode)
    if reason is None:
        return "", 0
    return tool("ip_bond_option_has_slaves" if reason == "has slaves" else "ip_bond_option_is_up"), 2


def _active_slave(ctx: Ctx, dev: str) -> Output:
    """The kernel decides (bond_option_active_slave_set); its refusal reaches ip as the extack
    text of bond_opt_error_interpret(), the details go to the kernel log."""
    state = ctx.state
    if dev not in state.bond.slaves:
        if dev not in state.interfaces:
            return tool("ip_cannot_find_device", dev=dev), 1
        return tool("ip_bond_option_invalid"), 2
    ctx.budget.spend(0.1)
    return ("", 0) if kernel.set_active_slave(state, dev) else (tool("ip_bond_option_invalid"), 2)


def _admin(ctx: Ctx, dev: str, up: bool, *, ifupdown: str | None) -> Output:
    """Set ``dev`` up or down; ``ifupdown`` names the tool (ifup/ifdown) whose words an
    unknown device gets, else it is iproute2's."""
    state = ctx.state
    if dev not in state.interfaces and dev != state.bond.name:
        if ifupdown is not None:
            return tool("ifupdown_unknown", tool=ifupdown, dev=dev), 1
        return tool("ip_cannot_find_device", dev=dev), 1
    ctx.budget.spend(1.3 if up else 0.2)
    kernel.set_admin(state, dev, up)
    return "", 0


def _ifupdown(up: bool) -> Command:
    name = "ifup" if up else "ifdown"

    def run(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
        devs = [a for a in args if not a.startswith("-")]
        if not devs:
            return tool("ifupdown_no_interface", tool=name), 1
        outputs, status = [], 0
        for dev in devs:
            target = ctx.state.bond if dev == ctx.state.bond.name else ctx.state.interfaces.get(dev)
            if target is not None and target.admin_up == up:
                outputs.append(tool("ifup_already" if up else "ifdown_not_configured", dev=dev))
                continue
            out, code = _admin(ctx, dev, up, ifupdown=name)
            outputs.append(out)
            status = max(status, code)
        return "\n".join(o for o in outputs if o), status
    return run


COMMANDS["ifup"] = _ifupdown(True)
COMMANDS["ifdown"] = _ifupdown(False)


@command("systemctl")
def cmd_systemctl(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    words = [a for a in args if not a.startswith("-")]
    if len(words) == 2 and words[0] in ("restart", "reload-or-restart") and words[1] in ("networking",
                                                                                          "networking.service"):
        ctx.budget.spend(2)
        kernel.restart_networking(ctx.state)
        return "", 0
    return tool("systemctl_only"), 1


@command("ping")
def cmd_ping(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    count, interrupted, host = 4, True, None
    size, dont_fragment = 56, False
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-s", "-M") and i + 1 < len(args):
            value = args[i + 1]
            if a == "-M":
                if value not in ("do", "want", "dont", "probe"):
                    return tool("ping_bad_pmtudisc"), 2
                dont_fragment = value in ("do", "probe")
            elif not value.isdigit():
                return tool("ping_invalid_argument", value=value), 1
            elif int(value) > 65507:
                return tool("ping_size_too_large", value=value), 1
            else:
                size = int(value)
            i += 2
            continue
        if a == "-c" and i + 1 < len(args):
            if not args[i + 1].isdigit() or not 1 <= int(args[i + 1]) <= 100:
                return tool("ping_invalid_count", value=args[i + 1]), 1
            count, interrupted = int(args[i + 1]), False
            i += 2
            continue
        if re.fullmatch(r"-c\d+", a):
            count, interrupted = max(1, min(100, int(a[2:]))), False
        elif a in ("-W", "-w", "-i", "-I") and i + 1 < len(args):
            i += 1
        elif not a.startswith("-"):
            host = a
        i += 1
    if host is None:
        return tool("ping_usage"), 2
    out, status, seconds = render_sys.ping(ctx.state, host, count, interrupted, size=size,
                                           dont_fragment=dont_fragment)
    ctx.budget.spend(seconds)
    return out, status


# -- system --------------------------------------------------------------------------------------

@command("dmesg")
def cmd_dmesg(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    human = False
    for a in args:
        if a in ("-T", "--ctime"):
            human = True
        elif a in ("-w", "--follow", "-W"):
            return tool("dmesg_follow"), 1
        elif a not in ("-L", "--color=never", "--nopager"):
            return tool("dmesg_not_simulated", flag=a), 1
    return render_sys.dmesg(ctx.state, human=human), 0


@command("journalctl")
def cmd_journalctl(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    if "-k" in args or "--dmesg" in args:
        return render_sys.journal_kernel(ctx.state), 0
    return tool("journalctl_only"), 1


@command("date")
def cmd_date(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return render_sys.date(ctx.state), 0


@command("uptime")
def cmd_uptime(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return render_sys.uptime(ctx.state), 0


@command("uname")
def cmd_uname(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    parts = {"-s": "Linux", "-n": ctx.state.hostname, "-r": ctx.state.kernel_release, "-m": "x86_64",
             "-o": "GNU/Linux"}
    if not args:
        return "Linux", 0
    if any(a not in parts for a in args):
        return tool("uname_not_simulated"), 1
    return " ".join(parts[a] for a in args), 0


@command("hostname")
def cmd_hostname(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return ctx.state.hostname, 0


@command("whoami")
def cmd_whoami(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return "root", 0


@command("pwd")
def cmd_pwd(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return "/root", 0


@command("cd")
def cmd_cd(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return tool("cd_stays"), 0


@command("echo")
def cmd_echo(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return " ".join(args), 0


@command("true")
def cmd_true(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return "", 0


@command("false")
def cmd_false(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return "", 1


@command("sleep")
def cmd_sleep(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    if not args:
        return tool("sleep_missing_operand"), 1
    total = 0.0
    for a in args:
        m = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)", a)
        if not m:
            return tool("sleep_invalid", value=a), 1
        total += float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    if total > MAX_SLEEP_S:
        return tool("sleep_limit", seconds=MAX_SLEEP_S), 1
    ctx.budget.spend(total)
    kernel.advance(ctx.state, total)
    return "", 0


@command("help")
def cmd_help(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return fill("help", gateway=ctx.state.gateway).rstrip("\n"), 0


@command("history")
def cmd_history(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return joined(ctx.budget, (f"{i:5d}  {line}" for i, line in enumerate(ctx.history, 1))), 0


@command("clear")
def cmd_clear(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    ctx.clear = True
    return "", 0


@command("exit", "logout")
def cmd_exit(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    return tool("exit_nowhere"), 0


# -- filters (right of a pipe) -----------------------------------------------------------------

@command("grep", "egrep", "fgrep")
def cmd_grep(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    opts = {"i": False, "v": False, "c": False, "E": False, "F": False, "w": False, "n": False}
    pattern: str | None = None
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-e" and i + 1 < len(args):
            pattern = args[i + 1]
            i += 2
            continue
        if a.startswith("--"):
            long = {"--ignore-case": "i", "--invert-match": "v", "--count": "c", "--extended-regexp": "E",
                    "--fixed-strings": "F", "--word-regexp": "w", "--line-number": "n"}.get(a)
            if long is None:
                return tool("grep_unrecognized_option", option=a) + "\n" + tool("grep_usage"), 2
            opts[long] = True
        elif a.startswith("-") and len(a) > 1:
            for flag in a[1:]:
                if flag not in opts:
                    return tool("grep_invalid_option", flag=flag) + "\n" + tool("grep_usage"), 2
                opts[flag] = True
        elif pattern is None:
            pattern = a
        else:
            rest.append(a)
        i += 1
    if pattern is None:
        return tool("grep_usage"), 2
    if rest:
        try:
            source = "\n".join(read_file(ctx.state, p) for p in rest)
        except ToolError as exc:
            return exc.output.replace("cat:", "grep:"), 2
    else:
        source = stdin or ""
    try:
        regex = compile_pattern(pattern, extended=opts["E"], fixed=opts["F"], ignore_case=opts["i"], word=opts["w"])
    except PatternError as exc:
        return str(exc), 2
    hits = _matches(ctx.budget, regex, source.split("\n") if source else [], invert=opts["v"])
    if opts["c"]:
        return str(len(hits)), 0 if hits else 1
    return joined(ctx.budget, (f"{n}:{line}" if opts["n"] else line for n, line in hits)), 0 if hits else 1


def _matches(budget: Budget, regex: Pattern[str], lines: list[str], *, invert: bool) -> list[tuple[int, str]]:
    """Numbered lines that match (or not), stopped by the submission's grep time limit."""
    hits = []
    started = time.monotonic()
    try:
        for n, line in enumerate(lines, 1):
            timeout = budget.grep_timeout() - (time.monotonic() - started)
            if timeout <= 0:
                raise budget.grep_timed_out()
            if bool(regex.search(line, timeout=timeout)) != invert:
                hits.append((n, line))
    except TimeoutError:
        raise budget.grep_timed_out() from None
    budget.grep_spent(time.monotonic() - started)
    return hits


def joined(budget: Budget, lines: Iterable[str]) -> str:
    """``"\\n".join(lines)``, stopped as soon as it would outgrow the output still allowed."""
    out: list[str] = []
    size = -1
    for line in lines:
        size += len(line) + 1
        if size > budget.room:
            raise LimitReached("output", budget.limits.output_chars)
        out.append(line)
    return "\n".join(out)


def _count(args: list[str], default: int) -> int | None:
    for i, a in enumerate(args):
        if a == "-n" and i + 1 < len(args) and args[i + 1].lstrip("-+").isdigit():
            return abs(int(args[i + 1]))
        if re.fullmatch(r"-n?\d+", a):
            return int(a.lstrip("-n"))
    return default


@command("head")
def cmd_head(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    n = _count(args, 10) or 0
    return "\n".join((stdin or "").split("\n")[:n]), 0


@command("tail")
def cmd_tail(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    n = _count(args, 10) or 0
    lines = (stdin or "").split("\n")
    return "\n".join(lines[-n:] if n else []), 0


@command("wc")
def cmd_wc(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    data = stdin or ""
    lines = data.count("\n") + (1 if data else 0)
    if args == ["-l"]:
        return str(lines), 0
    return f"{lines:7d} {len(data.split()):7d} {len(data.encode()) + (1 if data else 0):7d}", 0


@command("less", "more")
def cmd_pager(ctx: Ctx, args: list[str], stdin: str | None) -> Output:
    if stdin is None and not args:
        return tool("less_missing_filename"), 1
    if stdin is None:
        return cmd_cat(ctx, args, None)
    return stdin, 0
