"""Start, watch and stop the two Voila servers the benchmark compares.

Why not the browser tests' launcher: it waits for ``/`` to answer, and on both servers here
``/`` renders a notebook (the baseline serves one file; ``drillbook.serve`` redirects ``/`` to the
welcome page), so readiness checks would start a kernel before the first measurement and
pollute the kernel counts and memory figures. Readiness here is "the port accepts TCP".

Every server runs in its own session; ``stop()`` kills the process group and then any
descendant (jupyter_client starts kernels in sessions of their own).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "course"
HOST = "127.0.0.1"

#: Launch the course exactly like ``./run serve`` (drillbook.serve's Voila subclass and argv),
#: plus whatever Jupyter options the benchmark appends (e.g. a short cull timeout).
_COURSE_LAUNCHER = """
import sys
from drillbook import serve
args = serve.build_parser().parse_args(["--port", sys.argv[1]])
argv = serve.voila_argv(args) + sys.argv[2:]
app = serve._app_class() if hasattr(serve, "_app_class") else __import__("voila.app").app.Voila
app.launch_instance(argv=argv)
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# -- /proc ---------------------------------------------------------------------------------

def _stat(pid: int) -> tuple[str, int] | None:
    """(state, ppid), or None once the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[0] != "Z"


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(int(name))
            if st is not None and st[0] != "Z":
                children.setdefault(st[1], []).append(int(name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def rss_kib(pid: int) -> int:
    """Resident set size in KiB (``VmRSS``), 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# -- servers -------------------------------------------------------------------------------

@dataclass
class Server:
    name: str
    argv: list[str]
    cwd: Path
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    seen: set[int] = field(default_factory=set)

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def start(self, timeout: float = 90.0) -> "Server":
        with self.log_path.open("wb") as log:
            log.write(("$ " + " ".join(self.argv) + f"\n(cwd {self.cwd})\n").encode())
            log.flush()
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: Voila exited early; log:\n{self.log_text()[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), timeout=1):
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name}: no answer on port {self.port} within {timeout:.0f}s")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def kernels(self) -> set[int]:
        """Live kernel processes of this server (descendants running ``ipykernel_launcher``)."""
        if self.proc is None:
            return set()
        below = descendants(self.proc.pid)
        self.seen |= below
        return {pid for pid in below if "ipykernel_launcher" in cmdline(pid)}

    def stop(self) -> list[str]:
        """Kill the group and every descendant; return what survived (should be nothing)."""
        if self.proc is None:
            return []
        pgid = self.proc.pid
        targets = descendants(pgid) | self.seen | {pgid}
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(p) for p in targets):
            self.proc.poll()
            time.sleep(0.2)
        for pid in targets:
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        time.sleep(0.2)
        return [f"{p}: {cmdline(p)[:100]}" for p in sorted(targets) if alive(p)]


BASELINE_CELL = '''\
import ipywidgets as widgets

out = widgets.HTML("")
out.add_class("bench-out")
button = widgets.Button(description="Click me")
button.add_class("bench-button")
clicks = 0


def on_click(_button):
    global clicks
    clicks += 1
    out.value = f"<span>clicked {clicks}</span>"


button.on_click(on_click)
widgets.VBox([button, out])
'''


def write_baseline(folder: Path) -> Path:
    """The bare-Voila reference: one cell, one Button whose handler updates an HTML widget."""
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "bench", "metadata": {},
                   "outputs": [], "source": BASELINE_CELL.splitlines(keepends=True)}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path = folder / "baseline.ipynb"
    path.write_text(json.dumps(nb, indent=1))
    return path


def baseline_server(logs: Path) -> tuple[Server, tempfile.TemporaryDirectory[str]]:
    """Bare Voila (no config of ours: launched in an empty temp dir) on the one-cell notebook."""
    tmp = tempfile.TemporaryDirectory(prefix="drillbook-bench-")
    nb = write_baseline(Path(tmp.name))
    port = free_port()
    argv = [sys.executable, "-m", "voila", str(nb), f"--port={port}", "--no-browser", f"--Voila.ip={HOST}"]
    return Server("baseline", argv, Path(tmp.name), port, logs / "voila-baseline.log"), tmp


def course_server(logs: Path, extra: list[str] | None = None, name: str = "course") -> Server:
    """The course as ``./run serve`` serves it (``drillbook.serve`` + the repo's ``voila.json``)."""
    port = free_port()
    argv = [sys.executable, "-c", _COURSE_LAUNCHER, str(port), *(extra or [])]
    return Server(name, argv, REPO, port, logs / f"voila-{name}.log")


def cull_args(idle: int, interval: int) -> list[str]:
    """Command-line overrides of the repo's culling settings (they win over voila.json)."""
    return [f"--MappingKernelManager.cull_idle_timeout={idle}",
            f"--MappingKernelManager.cull_interval={interval}",
            "--MappingKernelManager.cull_connected=True"]
