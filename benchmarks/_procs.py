"""The two Voila servers the benchmark compares, started with the browser tests' launcher.

Starting, readiness (a static path, so no kernel starts before the first measurement), the
process-tree walk and the kill-everything ``stop()`` are ``tests/browser/_server.py``'s; this
module adds what only the benchmark needs: the baseline notebook, kernel RSS and CPU time, the
machine's load and command-line culling overrides.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.browser._server import (  # noqa: E402  (the shared process helpers)
    CHROMIUM,
    CHROMIUM_ARGS,
    COURSE,
    VoilaServer,
    alive,
    cmdline,
    descendants,
    start_course_server,
    start_voila_on,
)

HOST = "127.0.0.1"
__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "COURSE", "HOST", "VoilaServer", "alive", "cmdline", "descendants",
           "start_course_server", "start_voila_on", "rss_kib", "loadavg", "baseline_server",
           "course_server", "cull_args", "kernels", "stop", "cpu_seconds", "machine_busy"]


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 if it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw[raw.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from ``/proc/stat``."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / tick, sum(fields) / tick


def kernels(server: VoilaServer) -> set[int]:
    """Live kernel processes of this server (remembered by the server for ``stop()``)."""
    return server.kernel_pids()


def stop(server: VoilaServer | None) -> list[str]:
    """Kill the server's group and every descendant; return what survived (should be nothing)."""
    if server is None:
        return []
    server.stop()
    return server.leftovers()


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


def baseline_server(logs: Path, extra: list[str] | None = None,
                    name: str = "baseline") -> tuple[VoilaServer, tempfile.TemporaryDirectory[str]]:
    """Start bare Voila (no config of ours: launched in an empty temp dir) on the one-cell notebook;
    ``extra`` Jupyter options (the classroom's culling) are appended."""
    tmp = tempfile.TemporaryDirectory(prefix="drillbook-bench-")
    nb = write_baseline(Path(tmp.name))
    try:
        return start_voila_on(f"bench-{name}", nb, extra=tuple(extra or ()), cwd=Path(tmp.name), log_dir=logs), tmp
    except BaseException:
        tmp.cleanup()
        raise


def course_server(logs: Path, extra: list[str] | None = None, name: str = "course") -> VoilaServer:
    """Start the course as ``./run serve`` serves it (``drillbook.serve`` + the repo's ``voila.json``);
    with ``extra`` Jupyter options appended (they win over voila.json)."""
    return start_course_server(f"bench-{name}", tuple(extra or ()), log_dir=logs)


def cull_args(idle: int, interval: int) -> list[str]:
    """Command-line overrides of the repo's culling settings (they win over voila.json)."""
    return [f"--MappingKernelManager.cull_idle_timeout={idle}",
            f"--MappingKernelManager.cull_interval={interval}",
            "--MappingKernelManager.cull_connected=True"]
