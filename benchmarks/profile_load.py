"""Where the replay notebook's load time goes, saved under ``benchmarks/profiles/``.

    .venv/bin/python benchmarks/profile_load.py [--tag before|after|...]

1. ``python -X importtime -c "import drillbook.ui.replay"`` (raw output plus the slowest imports);
2. the course's ``incident-replay.ipynb`` executed in a real kernel (nbclient, as Voila does),
   with pyinstrument running around its cells, then around one choice (``choose("B")``) and
   the widget count the page and one round create. Needs the ``bench`` extra (pyinstrument).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PROFILES = HERE / "profiles"
NOTEBOOK = REPO / "course" / "incident-replay.ipynb"


def importtime(tag: str, module: str = "drillbook.ui.replay") -> str:
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=REPO)
        runs.append(time.perf_counter() - t0)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                          capture_output=True, text=True, check=True, cwd=REPO)
    raw = proc.stderr
    (PROFILES / f"importtime-{tag}.txt").write_text(raw)
    rows = []
    for line in raw.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        head, cumulative, name = line.split("|", 2)
        rows.append((int(cumulative), int(head.split(":")[1]), name.rstrip()))
    top = sorted(rows, reverse=True)[:25]
    lines = [f"python -c 'import {module}' wall: " + ", ".join(f"{r * 1000:.0f} ms" for r in runs),
             "slowest imports (cumulative µs, self µs):"]
    lines += [f"{cum:>9} {own:>8}  {name}" for cum, own, name in top]
    own_drillbook = sum(own for _, own, name in rows if name.strip().startswith("drillbook"))
    lines.append(f"drillbook's own modules (self time): {own_drillbook / 1000:.1f} ms")
    return "\n".join(lines)


PROFILE_START = """\
from pyinstrument import Profiler as _BenchProfiler
_bench_profiler = _BenchProfiler(interval=0.0005)
_bench_profiler.start()
"""

PROFILE_STOP = """\
_bench_profiler.stop()
from ipywidgets.widgets.widget import _instances as _bench_instances
_bench_loaded = len(_bench_instances)
_bench_app = next(w for w in list(_bench_instances.values()) if type(w).__name__ == "ReplayApp")
_bench_click = _BenchProfiler(interval=0.0005)
_bench_click.start()
_bench_app.choose("B")
_bench_click.stop()
print(__import__("json").dumps({"widgets_after_load": _bench_loaded,
                                "widgets_after_round": len(_bench_instances),
                                "load": _bench_profiler.output_text(unicode=True, color=False),
                                "click": _bench_click.output_text(unicode=True, color=False)}))
"""


def kernel_profile(tag: str) -> str:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROFILE_START))
    nb.cells.append(nbformat.v4.new_code_cell(PROFILE_STOP))
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}},
                   record_timing=True).execute()
    wall = time.perf_counter() - t0
    outputs = nb.cells[-1].outputs
    data = json.loads("".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream"))
    (PROFILES / f"pyinstrument-load-{tag}.txt").write_text(data["load"])
    (PROFILES / f"pyinstrument-choose-{tag}.txt").write_text(data["click"])
    timing = []
    for cell in nb.cells[1:-1]:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("execution", {})
        start, end = meta.get("iopub.status.busy"), meta.get("iopub.status.idle")
        if start and end:
            from datetime import datetime

            ms = (datetime.fromisoformat(end.replace("Z", "+00:00")) -
                  datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds() * 1000
            timing.append(f"  {ms:7.1f} ms  {cell.source.splitlines()[-1][:70]}")
    return "\n".join([f"nbclient run of incident-replay.ipynb (kernel start included): {wall:.2f} s",
                      "cell execution times in the kernel:", *timing,
                      f"widgets alive after load: {data['widgets_after_load']}, after one round: "
                      f"{data['widgets_after_round']}"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", default="current", help="suffix of the saved files (e.g. before/after)")
    args = parser.parse_args()
    PROFILES.mkdir(exist_ok=True)
    report = [importtime(args.tag), "", kernel_profile(args.tag)]
    text = "\n".join(report) + "\n"
    (PROFILES / f"summary-{args.tag}.txt").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
