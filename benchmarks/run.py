"""Benchmarks: is the course as fast as a bare Voila page, and does it hold a classroom?

    .venv/bin/python benchmarks/run.py            # 5 repetitions, 30 learners, appends RESULTS.md
    .venv/bin/python benchmarks/run.py --quick    # 2 repetitions, 10 learners, prints only

Every run starts its own reference on this machine: bare Voila serving a one-cell notebook
(a Button whose handler updates an HTML widget), next to the course served like ``./run serve``.
Both are driven by headless Debian Chromium through Playwright, interleaved repetition by
repetition so that load from other processes hits both alike. Figures: time to interactive,
click latency, kernel RSS, a classroom of learners playing the optimal path at once, and the
wall time of nbval over ``course/``. Servers bind 127.0.0.1 only and are killed (whole
process groups) at the end, whatever happens. This is not part of the test command.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
import tomllib
import urllib.request
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _pages as pages  # noqa: E402
import _procs as procs  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "RESULTS.md"
HISTORY = HERE / "history.jsonl"
LOGS = REPO / "test-artifacts" / "bench"

TARGETS = {"tti_replay": 1.15, "tti_welcome": 1.15, "click": 1.2, "rss": 1.25, "class_p95": 3.0, "nbval_s": 60.0}


def pct(values: list[float], q: float) -> float:
    """Percentile with linear interpolation (q in 0..100); NaN for no values."""
    data = sorted(v for v in values if v is not None)
    if not data:
        return float("nan")
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {"median": pct(values, 50), "p95": pct(values, 95), "n": len([v for v in values if v is not None])}


def versions() -> dict[str, str]:
    import ipykernel
    import ipywidgets
    import jupyter_server
    import voila

    chromium = subprocess.run([str(pages.CHROMIUM), "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    return {"python": platform.python_version(), "voila": voila.__version__, "ipywidgets": ipywidgets.__version__,
            "jupyter_server": jupyter_server.__version__, "ipykernel": ipykernel.__version__,
            "chromium": chromium.replace("Chromium ", "").split(" built")[0]}


def kernel_pid(server: procs.VoilaServer, kernel_id: str | None) -> int | None:
    """The kernel process of ``kernel_id`` (its connection file name carries the id)."""
    pids = procs.kernels(server)
    if kernel_id:
        for pid in pids:
            if kernel_id in procs.cmdline(pid):
                return pid
    return max(pids) if len(pids) == 1 else None


def retire(server: procs.VoilaServer, kernel_id: str | None, wait_s: float = 5.0) -> str:
    """After a page closed: did its beacon shut the kernel down? If not, shut it down via Voila."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if kernel_pid(server, kernel_id) is None:
            return "beacon"
        time.sleep(0.2)
    if kernel_id and pages.post_shutdown(f"http://{procs.HOST}:{server.port}", kernel_id):
        return "api"
    return "left"


# -- 1-3: one learner at a time --------------------------------------------------------------

def single(args: argparse.Namespace, baseline: procs.VoilaServer, course: procs.VoilaServer) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    plan = [(baseline, pages.baseline_target()), (course, pages.replay_target())]
    if (procs.COURSE / "index.ipynb").exists():
        plan.append((course, pages.welcome_target()))
    tti: dict[str, list[float]] = {t.name: [] for _, t in plan}
    clicks: dict[str, list[float]] = {t.name: [] for _, t in plan}
    nexts: dict[str, list[float]] = {t.name: [] for _, t in plan}
    rss: dict[str, list[float]] = {t.name: [] for _, t in plan}
    phases: dict[str, dict[str, list[float]]] = {t.name: {} for _, t in plan}
    errors: list[str] = []
    shutdowns: dict[str, int] = {}
    with sync_playwright() as pw:
        browser = pages.launch(pw)
        try:
            for rep in range(-1, args.reps):  # rep -1 warms up templates, static files and imports
                order = plan if rep % 2 == 0 else plan[::-1]
                for server, target in order:
                    sample: dict[str, Any] = {}

                    def measure_rss(visit: pages.Visit, server: procs.VoilaServer = server,
                                    sample: dict[str, Any] = sample) -> None:
                        time.sleep(0.3)  # let the handler's widget messages settle
                        pid = kernel_pid(server, visit.kernel_id)
                        sample["rss"] = procs.rss_kib(pid) if pid else 0

                    context = page = result = None
                    try:
                        result, context, page = pages.visit(browser, server.url(""), target,
                                                            timeout_ms=args.timeout * 1000,
                                                            after_first_click=measure_rss)
                    except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
                        errors.append(f"{target.name} rep {rep}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
                    finally:
                        if page is not None:
                            pages.close(context, page)
                    how = retire(server, result.kernel_id if result else None)
                    shutdowns[how] = shutdowns.get(how, 0) + 1
                    if result is None or rep < 0:
                        continue
                    errors.extend(f"{target.name} rep {rep}: {e}" for e in result.errors)
                    tti[target.name].append(result.tti_ms)
                    if result.nav:
                        split = {"first byte": result.nav["ttfb"],
                                 "page streamed (cells ran)": result.nav["html_done"] - result.nav["ttfb"],
                                 "widgets rendered after page": result.tti_ms - result.nav["html_done"]}
                        for phase, ms in split.items():
                            phases[target.name].setdefault(phase, []).append(ms)
                    clicks[target.name].extend(c["result"] for c in result.clicks)
                    nexts[target.name].extend(c["next"] for c in result.clicks if c.get("next") is not None)
                    if sample.get("rss"):
                        rss[target.name].append(sample["rss"] / 1024)
                    print(f"  rep {rep + 1}/{args.reps} {target.name:16s} tti {result.tti_ms:7.0f} ms"
                          + ("  clicks " + ", ".join(f"{c['result']:.0f}" for c in result.clicks) + " ms" if result.clicks else "")
                          + (f"  rss {sample['rss'] / 1024:.1f} MiB" if sample.get("rss") else ""), flush=True)
        finally:
            browser.close()
    return {
        "tti": {k: summary(v) for k, v in tti.items()},
        "click": {k: summary(v) for k, v in clicks.items() if v},
        "next_ready": {k: summary(v) for k, v in nexts.items() if v},
        "rss_mib": {k: summary(v) for k, v in rss.items() if v},
        "phases": {k: {p: summary(v) for p, v in d.items()} for k, d in phases.items()},
        "errors": errors,
        "kernel_shutdowns": shutdowns,
    }


# -- 4: a classroom --------------------------------------------------------------------------

def classroom(args: argparse.Namespace, kind: str = "course") -> dict[str, Any]:
    """The classroom on the course (``kind="course"``) or, as the reference for what this
    machine can carry at all, on the bare-Voila baseline notebook (``kind="baseline"``)."""
    cull = procs.cull_args(args.cull_idle, args.cull_interval)
    tmp = None
    if kind == "baseline":
        server, tmp = procs.baseline_server(LOGS, cull, name="classroom-baseline")
        target = pages.baseline_target()
        extra = cull
    else:
        server = procs.course_server(LOGS, cull + args.server_arg, name="classroom")
        target = pages.replay_target()
        extra = cull + args.server_arg
    out: dict[str, Any] = {"learners": args.learners, "interval_s": args.interval,
                           "cull": " ".join(extra), "beacon": args.beacon}
    try:
        assert server.proc is not None
        server_cpu0, (busy0, total0) = procs.cpu_seconds(server.proc.pid), procs.machine_busy()

        def account_cpu() -> None:
            """Where the CPU went, sampled when every learner is done and all kernels still live."""
            busy1, total1 = procs.machine_busy()
            kernel_cpu = [procs.cpu_seconds(pid) for pid in procs.kernels(server)]
            # The load generator shares the cores: this run's Chromium (below Playwright's driver).
            browser = [pid for pid in procs.descendants(os.getpid()) if "chrom" in procs.cmdline(pid)]
            out["cpu"] = {"machine_busy_pct": 100 * (busy1 - busy0) / max(total1 - total0, 1e-9),
                          "machine_busy_s": busy1 - busy0,
                          "browser_s": sum(procs.cpu_seconds(pid) for pid in browser),
                          "server_s": procs.cpu_seconds(server.proc.pid) - server_cpu0,
                          "kernels_s": sum(kernel_cpu), "per_kernel_s": summary(kernel_cpu)}

        t0 = time.monotonic()
        people = asyncio.run(pages.classroom(server.url(""), target, args.learners,
                                             args.interval, args.timeout * 1000, LOGS, before_close=account_cpu,
                                             vanish=not args.beacon))
        out["wall_s"] = time.monotonic() - t0
        out["tti"] = summary([p.tti_ms for p in people if p.tti_ms is not None])
        out["click"] = summary([c["result"] for p in people for c in p.clicks])
        out["total_s"] = summary([p.total_s for p in people if p.total_s is not None])
        out["completed"] = sum(1 for p in people if p.total_s is not None and not p.errors)
        out["errors"] = [f"learner {p.index}: {e}" for p in people for e in p.errors]
        left = procs.kernels(server)
        out["kernels_after_close"] = len(left)
        deadline = time.monotonic() + args.cull_idle + 3 * args.cull_interval + 30
        while left and time.monotonic() < deadline:
            time.sleep(1)
            left = procs.kernels(server)
        out["kernels_left"] = len(left)
        out["culled_after_s"] = round(time.monotonic() - t0 - out["wall_s"], 1)
        out["server_log_culls"] = server.log_text().count("Culling 'idle' kernel")
    finally:
        out["leftover_processes"] = procs.stop(server)
        if tmp is not None:
            tmp.cleanup()
    return out


# -- 5: course check time --------------------------------------------------------------------

def nbval_command() -> list[str]:
    """pytest over ``course/`` with the flags the test command uses (pyproject ``addopts``),
    plus ``--nbval`` and the repository's nbval sanitizer file if it has one."""
    with (REPO / "pyproject.toml").open("rb") as fh:
        opts = tomllib.load(fh).get("tool", {}).get("pytest", {}).get("ini_options", {})
    addopts = shlex.split(opts.get("addopts", "")) if isinstance(opts.get("addopts", ""), str) else list(opts["addopts"])
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if not any(a.startswith("--nbval") for a in addopts):
        cmd.append("--nbval")
    if not any("sanitize" in a for a in addopts):
        for name in ("nbval_sanitize.cfg", "tests/nbval_sanitize.cfg", "course/nbval_sanitize.cfg"):
            if (REPO / name).exists():
                cmd += ["--nbval-sanitize-with", name]
                break
    return cmd + ["course/"]


def course_check() -> dict[str, Any]:
    cmd = nbval_command()
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    wall = time.monotonic() - t0
    tail = (proc.stdout.strip().splitlines() or [""])[-1]
    return {"cmd": " ".join(shlex.quote(c) for c in cmd[1:]).replace(sys.executable, "python"),
            "wall_s": wall, "rc": proc.returncode, "summary": tail}


# -- report ----------------------------------------------------------------------------------

def ratio(course: dict[str, float] | None, base: dict[str, float] | None, key: str = "median") -> float:
    if not course or not base or not base.get(key):
        return float("nan")
    return course[key] / base[key]


def verdict(value: float, limit: float) -> str:
    if value != value:  # NaN
        return "n/a"
    return "meets" if value <= limit else "MISSES"


def fmt(s: dict[str, float] | None, unit: str = "ms", digits: int = 0) -> str:
    if not s or s.get("n", 0) == 0:
        return "n/a"
    return f"{s['median']:.{digits}f} / {s['p95']:.{digits}f} {unit}"


def figures(res: dict[str, Any]) -> dict[str, float]:
    """The headline numbers of a run (also stored in history.jsonl for trends)."""
    s = res.get("single", {})
    out: dict[str, float] = {}
    base_tti = s.get("tti", {}).get("baseline")
    for name, key in (("incident-replay", "tti_replay"), ("welcome", "tti_welcome")):
        if s.get("tti", {}).get(name):
            out[key + "_ms"] = s["tti"][name]["median"]
            out[key] = ratio(s["tti"][name], base_tti)
    if s.get("click", {}).get("incident-replay"):
        out["click_ms"] = s["click"]["incident-replay"]["median"]
        out["click"] = ratio(s["click"]["incident-replay"], s["click"].get("baseline"))
    if s.get("rss_mib", {}).get("incident-replay"):
        out["rss_mib"] = s["rss_mib"]["incident-replay"]["median"]
        out["rss"] = ratio(s["rss_mib"]["incident-replay"], s["rss_mib"].get("baseline"))
    c = res.get("classroom")
    if c and c.get("tti") and s.get("tti", {}).get("incident-replay"):
        out["class_p95_ms"] = c["tti"]["p95"]
        out["class_p95"] = c["tti"]["p95"] / s["tti"]["incident-replay"]["median"]
        out["class_errors"] = float(len(c.get("errors", [])))
    cb = res.get("classroom_baseline")
    if cb and cb.get("tti") and s.get("tti", {}).get("baseline"):
        out["class_base_p95_ms"] = cb["tti"]["p95"]
        out["class_base_p95"] = cb["tti"]["p95"] / s["tti"]["baseline"]["median"]
        out["class_base_errors"] = float(len(cb.get("errors", [])))
    if res.get("nbval"):
        out["nbval_s"] = res["nbval"]["wall_s"]
    return out


def render(res: dict[str, Any], previous: dict[str, float] | None) -> str:
    s, f = res.get("single", {}), res["figures"]
    lines = [f"## {res['date']} ({'quick' if res['quick'] else 'full'} run)", "",
             f"Machine: {res['cores']} cores, {res['mem_gib']:.0f} GiB; loadavg before {res['load_before']}, "
             f"after {res['load_after']} (shared with other helpers' test runs: {res['note'] or 'no note'}).  ",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in res["versions"].items()) + ".  ",
             f"Repetitions: {res['reps']} per page (+1 warm-up), baseline and course interleaved; "
             f"figures are median / p95."
             + (f"  \nExtra course-server options for this run: `{' '.join(res['server_args'])}`." if res.get("server_args") else ""),
             ""]
    prev = previous or {}

    def trend(key: str, now: float | None) -> str:
        if now is None or key not in prev or now != now:
            return ""
        return f"{prev[key]:.2f}"

    if s:
        base = s["tti"].get("baseline")
        lines += ["| Figure | Baseline (bare Voila) | Course | Ratio (median) | Target | | Previous ratio |",
                  "|---|---|---|---|---|---|---|"]
        for name, key, label in (("incident-replay", "tti_replay", "Time to interactive, incident replay"),
                                 ("welcome", "tti_welcome", "Time to interactive, welcome page")):
            if name in s["tti"]:
                r = f.get(key, float("nan"))
                lines.append(f"| {label} | {fmt(base)} | {fmt(s['tti'][name])} | {r:.2f}× | ≤ {TARGETS[key]}× "
                             f"| {verdict(r, TARGETS[key])} | {trend(key, r)} |")
        if "incident-replay" in s.get("click", {}):
            r = f.get("click", float("nan"))
            lines.append(f"| Click latency (click → result in DOM) | {fmt(s['click'].get('baseline'))} | "
                         f"{fmt(s['click']['incident-replay'])} | {r:.2f}× | ≤ 1.2× | {verdict(r, 1.2)} | {trend('click', r)} |")
        if "incident-replay" in s.get("next_ready", {}):
            lines.append(f"| (info) click → next round's card in DOM | – | {fmt(s['next_ready']['incident-replay'])} | | | | |")
        if "incident-replay" in s.get("rss_mib", {}):
            r = f.get("rss", float("nan"))
            lines.append(f"| Kernel RSS after one round | {fmt(s['rss_mib'].get('baseline'), 'MiB', 1)} | "
                         f"{fmt(s['rss_mib']['incident-replay'], 'MiB', 1)} | {r:.2f}× | ≤ 1.25× | {verdict(r, 1.25)} | {trend('rss', r)} |")
        lines.append("")
        lines.append("Where the time to interactive goes (medians, ms since navigation start):")
        lines.append("")
        lines.append("| Page | first byte | page streamed (kernel start + cells) | widgets rendered after that | TTI |")
        lines.append("|---|---|---|---|---|")
        for name, split in s.get("phases", {}).items():
            if split:
                cells = " | ".join(f"{split[p]['median']:.0f}" for p in
                                   ("first byte", "page streamed (cells ran)", "widgets rendered after page"))
                lines.append(f"| {name} | {cells} | {s['tti'][name]['median']:.0f} |")
        lines.append("")
        lines.append(f"Kernels after each closed page: {s['kernel_shutdowns']} "
                     "(beacon = the page's own beforeunload shutdown arrived within 5 s; api = the benchmark "
                     "had to call /voila/api/shutdown; left = still running).  ")
        lines.append(f"Errors: {len(s['errors'])}" + ("".join(f"\n- {e}" for e in s["errors"][:10]) if s["errors"] else ""))
        lines.append("")
    c = res.get("classroom")
    if c:
        r = f.get("class_p95", float("nan"))
        lines += [f"Classroom: {c['learners']} learners (browser contexts in one Chromium), opened "
                  f"{c['interval_s']} s apart, each playing B, A, A + remediation to the damage report; course server "
                  f"with `{c['cull']}`. "
                  + ("Tabs closed normally (shutdown beacon)." if c.get("beacon") else
                     "Then every learner leaves without the tab's shutdown beacon (it is dropped), so only "
                     "culling can free the kernels."),
                  "",
                  f"- time to interactive: {fmt(c.get('tti'))}; p95 / single-learner median = **{r:.2f}×** "
                  f"(target ≤ 3×: {verdict(r, 3.0)}) {('(previous ' + trend('class_p95', r) + '×)') if trend('class_p95', r) else ''}",
                  f"- click latency under load: {fmt(c.get('click'))}; open → damage report: {fmt(c.get('total_s'), 's', 1)}",
                  f"- completed without error: {c.get('completed')}/{c['learners']}; errors: {len(c.get('errors', []))}"
                  + "".join(f"\n  - {e}" for e in c.get("errors", [])[:8]),
                  f"- kernels right after all pages closed: {c.get('kernels_after_close')}; left after waiting "
                  f"{c.get('culled_after_s')} s: {c.get('kernels_left')} (server log 'Culling kernel' lines: "
                  f"{c.get('server_log_culls')}); processes left after stop: {len(c.get('leftover_processes', []))}",
                  f"- wall time of the classroom phase: {c.get('wall_s', 0):.0f} s"
                  + (f"; CPU over it: machine {c['cpu']['machine_busy_pct']:.0f}% busy "
                     f"({c['cpu']['machine_busy_s']:.0f} CPU-s on {res['cores']} cores, every process included), "
                     f"this run's Chromium (the learners' browsers) {c['cpu'].get('browser_s', 0):.0f} CPU-s, "
                     f"course server {c['cpu']['server_s']:.0f} CPU-s, the {c['cpu']['per_kernel_s']['n']} kernels "
                     f"{c['cpu']['kernels_s']:.0f} CPU-s ({fmt(c['cpu']['per_kernel_s'], 's', 2)} each)"
                     if c.get("cpu") else ""), ""]
    cb = res.get("classroom_baseline")
    if cb:
        rb = f.get("class_base_p95", float("nan"))
        lines += ["The same classroom on the bare-Voila baseline notebook (Voila's default settings, same "
                  "culling), as the reference for what this machine and its load generator carry at all:",
                  "",
                  f"- time to interactive: {fmt(cb.get('tti'))}; p95 / baseline single-visit median = **{rb:.2f}×**",
                  f"- completed without error: {cb.get('completed')}/{cb['learners']}; errors: {len(cb.get('errors', []))}"
                  + "".join(f"\n  - {e}" for e in cb.get("errors", [])[:4]),
                  f"- kernels left after culling: {cb.get('kernels_left')}; wall time {cb.get('wall_s', 0):.0f} s"
                  + (f"; this run's Chromium {cb['cpu'].get('browser_s', 0):.0f} CPU-s, server "
                     f"{cb['cpu']['server_s']:.0f} CPU-s, kernels {cb['cpu']['kernels_s']:.0f} CPU-s"
                     if cb.get("cpu") else ""), ""]
    n = res.get("nbval")
    if n:
        lines += [f"Course check: `{n['cmd']}` took **{n['wall_s']:.1f} s** (target ≤ 60 s: "
                  f"{verdict(n['wall_s'], 60.0)}; exit {n['rc']}: {n['summary']})"
                  + (f" (previous {prev_val:.1f} s)" if (prev_val := (previous or {}).get("nbval_s")) else "") + ".", ""]
    return "\n".join(lines) + "\n"


def previous_figures() -> dict[str, float] | None:
    if not HISTORY.exists():
        return None
    rows = [json.loads(line) for line in HISTORY.read_text().splitlines() if line.strip()]
    full = [r for r in rows if not r.get("quick")]
    return (full or rows)[-1]["figures"] if rows else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 repetitions, 10 learners, do not write RESULTS.md")
    parser.add_argument("--reps", type=int, help="repetitions per page (default 5, --quick 2)")
    parser.add_argument("--learners", type=int, help="classroom size (default 30, --quick 10)")
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between classroom opens (default 0: all at once)")
    parser.add_argument("--cull-idle", type=int, default=60, help="classroom server's cull_idle_timeout (s)")
    parser.add_argument("--beacon", action="store_true",
                        help="classroom tabs close normally (their beacon shuts the kernel down); by default "
                             "the beacons are dropped, as for learners who just leave, so culling must free every kernel")
    parser.add_argument("--cull-interval", type=int, default=5, help="classroom server's cull_interval (s)")
    parser.add_argument("--timeout", type=int, default=120, help="per-step browser timeout (s)")
    parser.add_argument("--skip", default="", help="comma list of phases to skip: single,classroom,classroom-baseline,nbval")
    parser.add_argument("--write", action=argparse.BooleanOptionalAction, default=None,
                        help="append to RESULTS.md/history.jsonl (default: yes unless --quick)")
    parser.add_argument("--server-arg", action="append", default=[],
                        help="extra Voila/Jupyter option for the course servers, to try a config change "
                             "before proposing it (repeatable), e.g. --server-arg=--VoilaExecutor.iopub_timeout=60")
    parser.add_argument("--note", default="", help="a sentence about the machine's load for RESULTS.md")
    args = parser.parse_args(argv)
    args.reps = args.reps or (2 if args.quick else 5)
    args.learners = args.learners or (10 if args.quick else 30)
    write = (not args.quick) if args.write is None else args.write
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if not (procs.COURSE / "incident-replay.ipynb").exists():
        print("course/incident-replay.ipynb is missing: nothing to measure", file=sys.stderr)
        return 1
    LOGS.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                           "quick": args.quick, "reps": args.reps, "cores": os.cpu_count(),
                           "mem_gib": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30,
                           "load_before": procs.loadavg(), "versions": versions(), "note": args.note,
                           "server_args": args.server_arg}
    print(f"drillbook benchmarks: {args.reps} reps, loadavg {res['load_before']}", flush=True)
    if "single" not in skip:
        base_server, tmp = procs.baseline_server(LOGS)
        course = None
        try:
            course = procs.course_server(LOGS, args.server_arg)
            print("single learner (baseline and course interleaved):", flush=True)
            res["single"] = single(args, base_server, course)
        finally:
            left = procs.stop(base_server) + procs.stop(course)
            tmp.cleanup()
            if left:
                print("processes left behind:", left, file=sys.stderr)
    if "classroom" not in skip:
        print(f"classroom: {args.learners} learners, {args.interval} s apart ...", flush=True)
        res["classroom"] = classroom(args)
    if "classroom-baseline" not in skip:
        print(f"classroom on the bare-Voila baseline: {args.learners} learners ...", flush=True)
        res["classroom_baseline"] = classroom(args, kind="baseline")
    if "nbval" not in skip:
        print("course check (nbval) ...", flush=True)
        res["nbval"] = course_check()
    res["load_after"] = procs.loadavg()
    res["figures"] = figures(res)
    (LOGS / "last-run.json").write_text(json.dumps(res, indent=1, default=str))
    text = render(res, previous_figures())
    print("\n" + text)
    if write:
        if not RESULTS.exists():
            RESULTS.write_text("# drillbook benchmark results\n\nProduced by `.venv/bin/python benchmarks/run.py`; "
                               "newest section last. What each figure means and how it is measured: the docstrings of "
                               "benchmarks/run.py and benchmarks/_pages.py.\n\n")
        with RESULTS.open("a") as fh:
            fh.write(text + "\n")
        with HISTORY.open("a") as fh:
            fh.write(json.dumps({"date": res["date"], "quick": args.quick, "figures": res["figures"]}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
