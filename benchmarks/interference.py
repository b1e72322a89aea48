"""Interference benchmark: how much do the classroom benchmark's real Chromium learners disturb
the server they measure, and would serving Voila's front end from elsewhere help?

    .venv/bin/python benchmarks/interference.py        # none, cold, static-elsewhere, none x 2 placements
    .venv/bin/python benchmarks/interference.py --phases none,cold --placements one-cpu --learners 3 --browsers 1

Why it exists: ``classroom.py`` samples a few real browsers during the class, under
``SCHED_IDLE`` (``_chromium_sampler.py``), so that they take no CPU the server wants. Idle
priority is not enough: the browsers still stall normal-priority work (their work in the Linux
kernel, the caches they evict). The run of 2026-12-02 23:23 (RESULTS.md), 2 browsers on the
2-core benchmark machine: the protocol learners' page p95 was 0.094 s without browsers, 0.284 s
with the browsers on any CPU and 0.104 s with them confined to one CPU, so the sampler now keeps
to one CPU (``_chromium_sampler.confine_to_one_cpu``). Serving Voila's static files from
elsewhere (a reverse proxy in front of ``./run serve`` would) gave 0.144 s and 0.103 s: once the
browsers keep to one CPU, the server's static-file work is not what slows a learner's page.
This script measures both, so the figures can be taken again after a change.

Method, per run (one phase x one placement; ``none`` runs once, it has no browsers to place):

* phases: ``none`` (no browsers: the reference; by default first and last, to show drift),
  ``cold`` (``--browsers`` Chromium learners load the replay over and over, each visit in a
  fresh context, i.e. a cold HTTP cache, as the classroom's samples do), ``static-elsewhere``
  (the same, but every request under ``/voila/static/``, ``/voila/labextensions/`` and
  ``/voila/templates/`` is answered inside the browser process from a copy fetched once before
  the run (Playwright ``route.fulfill``): the server never serves Voila's front end);
* placements: ``any-cpu`` (``SCHED_IDLE`` only) or ``one-cpu`` (``SCHED_IDLE`` and the last
  CPU only). The browsers run in this script's ``--browsers-child`` mode, a process of its own
  in a session of its own, killed with its whole tree after the run; while they run, the CPUs
  and scheduling policy of every one of their threads are recorded (Chromium may move threads);
* measured here, at normal priority: a fixed CPU work unit timed 20 times, then ``--learners``
  protocol learners (``_protocol.learner``: page, websocket, widget state, one click) one after
  another, 0.25 s apart, so no learner waits behind another and a slow page is the browsers'
  doing, then the work unit 20 times again.

The server is the course (``--class-size 0``) with a preheated replay pool big enough for every
learner and every browser visit, and refills pushed beyond the run: no kernel starts or runs a
notebook while anything is measured. Each pool kernel costs ~100 MiB (RESULTS.md), so the
default run holds ~15 GiB of warm kernels and takes a few minutes to warm them; ``--pool``
overrides the estimate, and each run records how many warm replay kernels were left (a pool
that ran dry makes the learners' pages kernel starts, and is reported as an error).

Results: ``test-artifacts/bench/interference-*.json`` (raw figures) and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _chromium_sampler as sampler  # noqa: E402
import _pages as pages  # noqa: E402
import _procs as procs  # noqa: E402
import _protocol as proto  # noqa: E402
import classroom  # noqa: E402
from _procs import CHROMIUM, CHROMIUM_ARGS, alive  # noqa: E402

from drillbook import pool as course_pool  # noqa: E402
from drillbook.content import course_dir  # noqa: E402

PHASES = ("none", "cold", "static-elsewhere", "none")
PLACEMENTS = ("any-cpu", "one-cpu")
LEARNERS, BROWSERS = 12, 2
UNIT_LOOPS = 200_000  #: iterations of the CPU work unit: ~8 ms on the benchmark machine
UNITS = 20  #: work units timed before the learners, and again after them
GAP_S = 0.25  #: between one learner's end and the next one's start
LEARNER_TIMEOUT_S = 60
#: Replay visits one browser makes in a run, for sizing the pool (measured: see ``browser_loads``).
LOADS_PER_BROWSER_RUN = 8
POOL_MARGIN = 10
FILL_DELAY_S = 24 * 3600  #: a handed-out kernel is replaced a day later: never during the run
WARM_LIMIT_S = 1800
PROGRESS_EVERY_S = 15.0
SETTLE_S = 5.0  #: after the pool is warm, and after the browsers started loading
QUIET_S = 3.0  #: after the browsers are killed, before anything else
#: What a reverse proxy would serve in the ``static-elsewhere`` phase: Voila's front end.
FRONT_END = "**/voila/{static,labextensions,templates}/**"
#: The browsers' visit: the replay opened until its first choice is usable; no clicks, so the
#: kernels do no work for them and what disturbs the server is the browsers alone.
OPEN_REPLAY = dataclasses.replace(pages.replay_target(), clicks=(), remediation=False)
#: ``sampler``: what the classroom's sampled browsers launch with; ``tests``: the browser tests'
#: flags, with which Chromium's software rasterizer pins threads outside a ``one-cpu`` placement.
CHROMIUM_FLAGS = {"tests": CHROMIUM_ARGS, "sampler": sampler.SAMPLER_ARGS}


# -- the browsers (this script's --browsers-child mode) ------------------------------------------

class FrontEndCopy:
    """Voila's front end, fetched from the server once and answered from memory afterwards."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.misses = 0  #: requests the copy could not answer (the server served them)

    async def record(self, route: Any) -> None:
        response = await route.fetch()
        body = await response.body()
        self.files[route.request.url] = (response.status, response.headers, body)
        await route.fulfill(status=response.status, headers=response.headers, body=body)

    async def serve(self, route: Any) -> None:
        hit = self.files.get(route.request.url)
        if hit is None:
            self.misses += 1
            await route.continue_()
            return
        status, headers, body = hit
        await route.fulfill(status=status, headers=headers, body=body)


async def visit(browser: Any, base: str, lane: int, front_end: FrontEndCopy | None, record: bool = False) -> Any:
    """One replay visit in a fresh context (cold cache); returns the ``_pages.Learner``."""
    context = await pages.new_learner_context(browser, vanish=True)
    try:
        if front_end is not None:
            await context.route(FRONT_END, front_end.record if record else front_end.serve)
        who = pages.Learner(lane)
        await pages.learner(browser, base, OPEN_REPLAY, who, time.monotonic(), LEARNER_TIMEOUT_S * 1000,
                            context=context)
        return who
    finally:
        with contextlib.suppress(Exception):  # the browser may be going away
            await context.close()


async def keep_loading(base: str, browsers: int, static_elsewhere: bool, flags: list[str]) -> None:
    """Print ``ready`` once the browser is up (and holds the front end's copy), wait for a line on
    stdin, then load the replay in ``browsers`` lanes until killed, one JSON line per visit."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=flags)
        front_end = FrontEndCopy() if static_elsewhere else None
        if front_end is not None:
            first = await visit(browser, base, -1, front_end, record=True)
            if first.errors or not front_end.files:
                print(f"failed: no copy of the front end: {first.errors}", flush=True)
                return
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)

        async def lane(index: int) -> None:
            while True:
                who = await visit(browser, base, index, front_end)
                print(json.dumps({"lane": index, "tti_ms": who.tti_ms, "errors": who.errors,
                                  "front_end_misses": front_end.misses if front_end else None}), flush=True)

        await asyncio.gather(*(lane(i) for i in range(browsers)))


def browsers_child(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="interference.py --browsers-child",
                                     description="Chromium learners loading the replay until killed.")
    parser.add_argument("--base", required=True)
    parser.add_argument("--placement", choices=PLACEMENTS, required=True)
    parser.add_argument("--browsers", type=int, default=BROWSERS)
    parser.add_argument("--static-elsewhere", action="store_true")
    parser.add_argument("--chromium-flags", choices=sorted(CHROMIUM_FLAGS), default="sampler")
    args = parser.parse_args(argv)
    placed = sampler.stay_out_of_the_servers_way(one_cpu=args.placement == "one-cpu")  # all it starts inherits it
    print(f"interference browsers: {placed}", file=sys.stderr, flush=True)
    asyncio.run(keep_loading(args.base, args.browsers, args.static_elsewhere, list(CHROMIUM_FLAGS[args.chromium_flags])))
    return 0


# -- the browsers, seen from the measuring process -----------------------------------------------

def chromium_pids() -> set[int]:
    """Every live Chromium process on the machine (to prove afterwards none of ours is left)."""
    return {int(p) for p in os.listdir("/proc")
            if p.isdigit() and alive(int(p)) and procs.cmdline(int(p)).startswith(str(CHROMIUM))}


def threads_of(pids: set[int], placed: set[int]) -> dict[str, Any]:
    """The CPUs every thread of these processes may run on, how many are not ``SCHED_IDLE``, and
    the names of those allowed off the CPUs the browsers were ``placed`` on (Chromium may move
    its threads: with ``--disable-gpu`` alone its software rasterizer pins its own)."""
    cpus: set[int] = set()
    count = not_idle = 0
    elsewhere: set[str] = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for tid in map(int, os.listdir(f"/proc/{pid}/task")):
                with contextlib.suppress(OSError):  # a thread that ended meanwhile
                    allowed = os.sched_getaffinity(tid)
                    cpus |= allowed
                    not_idle += os.sched_getscheduler(tid) != os.SCHED_IDLE
                    count += 1
                    if not allowed <= placed:
                        elsewhere.add(Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip())
    return {"threads": count, "cpus": sorted(cpus), "not_idle": not_idle, "elsewhere": sorted(elsewhere)}


class Browsers:
    """``--browsers-child`` in a session of its own; its output read by a thread as it comes."""

    def __init__(self, base: str, phase: str, placement: str, browsers: int, flags: str, log: Path) -> None:
        argv = [sys.executable, str(Path(__file__).resolve()), "--browsers-child", "--base", base,
                "--placement", placement, "--browsers", str(browsers), "--chromium-flags", flags,
                *(["--static-elsewhere"] if phase == "static-elsewhere" else [])]
        self.chromium_before = chromium_pids()
        self.log: IO[bytes] = log.open("wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                     start_new_session=True)
        self.log_path = log
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.append(raw.decode(errors="replace").strip())
            if self.lines[-1] == "ready" or self.lines[-1].startswith("failed"):
                self.ready.set()
        self.ready.set()  # the child ended: whoever waits must not wait on

    def start_loading(self, timeout: float = 180) -> None:
        if not self.ready.wait(timeout) or "ready" not in self.lines:
            raise RuntimeError(f"the browsers did not start: {self.lines[-1:]}; log {self.log_path}")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()

    def tree(self) -> set[int]:
        return procs.descendants(self.proc.pid) | ({self.proc.pid} if alive(self.proc.pid) else set())

    def stop(self) -> list[str]:
        """Kill the session and every descendant (Playwright starts Chromium in a process group of
        its own); return the processes left after a few seconds: should be nothing."""
        tree = self.tree()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        for pid in tree:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self.reader.join(timeout=5)
        self.log.close()
        time.sleep(QUIET_S)
        left = {p for p in tree if alive(p)} | (chromium_pids() - self.chromium_before)
        return [f"{p}: {procs.cmdline(p)[:120]}" for p in sorted(left)]

    def visits(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines if line.startswith("{")]


# -- the measuring process -----------------------------------------------------------------------

def cpu_unit() -> float:
    """Seconds a fixed piece of pure-Python work takes: stretched only by what else runs."""
    t0 = time.perf_counter()
    total = 0
    for i in range(UNIT_LOOPS):
        total += i * i % 7
    return time.perf_counter() - t0


async def measure(base: str, learners: int, first_index: int) -> tuple[list[float], list[proto.Result]]:
    """Work units, ``learners`` protocol learners one after another, work units again."""
    units = [cpu_unit() for _ in range(UNITS)]
    page = proto.replay_page()
    results = []
    for i in range(learners):
        results.append(await proto.learner(base, page, proto.Result(first_index + i), time.monotonic(),
                                           LEARNER_TIMEOUT_S))
        await asyncio.sleep(GAP_S)
    units += [cpu_unit() for _ in range(UNITS)]
    return units, results


def server_options(pool: int) -> tuple[str, ...]:
    """A replay pool of ``pool`` warm kernels, one for every other notebook, no refills in the run."""
    return ("--VoilaConfiguration.preheat_kernel=True",
            f"--CourseVoila.replay_pool_size={pool}",
            "--VoilaConfiguration.default_pool_size=1",
            f"--VoilaKernelManager.fill_delay={FILL_DELAY_S}",
            *(f"--VoilaKernelManager.preheat_denylist={name}" for name in course_pool.NOT_PREHEATED))


def other_warm_kernels() -> int:
    """Warm kernels of the notebooks other than the replay: the default pool's, one each."""
    return course_pool.warm_kernel_count(None, map(str, course_dir().rglob("*.ipynb"))) - 1


def wait_for_pool(server: procs.VoilaServer, warm: int) -> float:
    """Until ``warm`` kernels wait for learners, with a progress line now and then."""
    t0 = time.monotonic()
    while (have := server.kernels_waiting_for_learners()) < warm:
        if server.proc is None or server.proc.poll() is not None:
            raise RuntimeError(f"the server exited while warming; log {server.log_path}")
        if time.monotonic() - t0 > WARM_LIMIT_S:
            raise RuntimeError(f"only {have} of {warm} kernels warm after {WARM_LIMIT_S} s")
        print(f"   {have}/{warm} kernels warm after {time.monotonic() - t0:.0f} s", flush=True)
        classroom.wait_warm(server, warm, timeout=PROGRESS_EVERY_S)
    return time.monotonic() - t0


def runs_of(phases: list[str], placements: list[str]) -> list[tuple[str, str]]:
    """(phase, placement) in order; a ``none`` phase once, with no placement."""
    return [(phase, placement) for phase in phases
            for placement in (["-"] if phase == "none" else placements)]


def default_pool(runs: list[tuple[str, str]], learners: int, browsers: int) -> int:
    with_browsers = [phase for phase, _ in runs if phase != "none"]
    primed = sum(phase == "static-elsewhere" for phase in with_browsers)  # the front end's copy takes a visit
    return len(runs) * learners + len(with_browsers) * browsers * LOADS_PER_BROWSER_RUN + primed + POOL_MARGIN


def summary(units: list[float], results: list[proto.Result]) -> dict[str, Any]:
    done = [r for r in results if r.error is None]
    full = [r.full_s for r in done if r.full_s is not None]
    html = [r.html_s for r in done if r.html_s is not None]
    ms = [u * 1000 for u in units]
    return {"cpu_unit_ms": {"p50": classroom.pct(ms, 50), "p95": classroom.pct(ms, 95)},
            "page_s": {"p50": classroom.pct(full, 50), "p95": classroom.pct(full, 95), "max": max(full, default=None)},
            "html_s": {"p50": classroom.pct(html, 50), "max": max(html, default=None)}}


def one_run(server: procs.VoilaServer, phase: str, placement: str, args: argparse.Namespace,
            number: int, others: int) -> dict[str, Any]:
    out: dict[str, Any] = {"phase": phase, "placement": placement, "load_before": procs.loadavg(),
                           "replay_pool_before": server.kernels_waiting_for_learners() - others}
    browsers = None
    errors: list[str] = []
    try:
        if phase != "none":
            log = classroom.LOGS / f"interference-browsers-{number}-{phase}-{placement}.log"
            browsers = Browsers(server.base, phase, placement, args.browsers, args.chromium_flags, log)
            browsers.start_loading()
            time.sleep(SETTLE_S)
        units, results = asyncio.run(measure(server.base, args.learners, number * args.learners))
        if browsers is not None:
            out["browser_threads"] = threads_of(browsers.tree(), os.sched_getaffinity(browsers.proc.pid))
    finally:
        if browsers is not None:
            out["leftover_processes"] = browsers.stop()
            visits = browsers.visits()
            out["browser_visits"] = visits
            out["browser_loads"] = len(visits)
            errors += [f"browser lane {v['lane']}: {e}" for v in visits for e in v["errors"]]
            errors += [f"left running: {p}" for p in out["leftover_processes"]]
    out.update(summary(units, results))
    out["cpu_units_s"] = units
    out["learners"] = [asdict(r) for r in results]
    errors += [f"learner {r.index}: {r.error}" for r in results if r.error]
    out["replay_pool_after"] = server.kernels_waiting_for_learners() - others
    if out["replay_pool_after"] <= 0:
        errors.append("the replay pool ran dry: later pages were kernel starts (raise --pool)")
    out["errors"] = errors
    out["load_after"] = procs.loadavg()
    return out


def _num(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def cpus_of(threads: dict[str, Any] | None) -> str:
    if threads is None:
        return "–"
    off = f" ({len(threads['elsewhere'])} thread names off it: {', '.join(threads['elsewhere'][:3])})"
    return f"{threads['cpus']}" + (off if threads["elsewhere"] else "")


def table(runs: list[dict[str, Any]]) -> str:
    head = ("| phase | browsers on | CPU unit p50 / p95 (ms) | page p50 / p95 / max (s) | HTML p50 / max (s) | "
            "errors | browser visits | their threads' CPUs | replay pool left |\n"
            "|---|---|---|---|---|---|---|---|---|\n")
    rows = []
    for r in runs:
        if "page_s" not in r:
            rows.append(f"| {r['phase']} | {r['placement']} | failed: {r['errors'][:1]} |")
            continue
        unit, page, html = r["cpu_unit_ms"], r["page_s"], r["html_s"]
        threads = r.get("browser_threads")
        rows.append(f"| {r['phase']} | {r['placement']} | {_num(unit['p50'], 1)} / {_num(unit['p95'], 1)} | "
                    f"{_num(page['p50'], 3)} / {_num(page['p95'], 3)} / {_num(page['max'], 3)} | "
                    f"{_num(html['p50'], 3)} / {_num(html['max'], 3)} | {len(r['errors'])} | "
                    f"{r.get('browser_loads', '–')} | {cpus_of(threads)} | "
                    f"{r['replay_pool_after']} |")
    return head + "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--browsers-child"]:
        return browsers_child(argv[1:])
    signal.signal(signal.SIGTERM, classroom.stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phases", default=",".join(PHASES), help="none, cold, static-elsewhere (comma-separated)")
    parser.add_argument("--placements", default=",".join(PLACEMENTS), help="any-cpu, one-cpu (comma-separated)")
    parser.add_argument("--learners", type=int, default=LEARNERS, help="protocol learners per run")
    parser.add_argument("--browsers", type=int, default=BROWSERS, help="Chromium learners loading the replay")
    parser.add_argument("--pool", type=int, default=None,
                        help="warm replay kernels (default: every learner and an estimate of the browsers' visits)")
    parser.add_argument("--chromium-flags", choices=sorted(CHROMIUM_FLAGS), default="sampler",
                        help="tests: _procs.CHROMIUM_ARGS; sampler: what _chromium_sampler.py launches with")
    args = parser.parse_args(argv)
    phases = [p for p in args.phases.split(",") if p]
    placements = [p for p in args.placements.split(",") if p]
    for bad in (set(phases) - {"none", "cold", "static-elsewhere"}) | (set(placements) - set(PLACEMENTS)):
        parser.error(f"unknown phase or placement: {bad}")
    runs = runs_of(phases, placements)
    pool = args.pool if args.pool is not None else default_pool(runs, args.learners, args.browsers)
    others = other_warm_kernels()
    classroom.LOGS.mkdir(parents=True, exist_ok=True)
    out_path = classroom.LOGS / f"interference-{dt.datetime.now(dt.timezone.utc).strftime('%Y%m%d-%H%M')}.json"
    print(f"$ {shlex.join([sys.executable, *sys.argv])}", flush=True)
    print(f"interference benchmark: runs {runs}, {args.browsers} browsers, {args.learners} learners a run, "
          f"replay pool {pool} (+{others} other warm kernels), loadavg {procs.loadavg()}", flush=True)
    report: dict[str, Any] = {"argv": sys.argv, "cores": os.cpu_count(), "load_before": procs.loadavg(),
                              "pool": pool, "browsers": args.browsers, "learners": args.learners,
                              "chromium_flags": CHROMIUM_FLAGS[args.chromium_flags], "runs": []}
    server = procs.start_course_server("bench-interference", server_options(pool), log_dir=classroom.LOGS,
                                       serve_args=("--class-size", "0"))
    try:
        report["warm_up_s"] = round(wait_for_pool(server, pool + others), 1)
        time.sleep(SETTLE_S)
        for number, (phase, placement) in enumerate(runs):
            print(f"-- {phase} / {placement} ...", flush=True)
            t0 = time.monotonic()
            try:
                run = one_run(server, phase, placement, args, number, others)
            except Exception as exc:  # noqa: BLE001 - one failed run must not lose the others
                run = {"phase": phase, "placement": placement, "errors": [f"run failed: {type(exc).__name__}: {exc}"]}
            run["wall_s"] = round(time.monotonic() - t0, 1)
            report["runs"].append(run)
            out_path.write_text(json.dumps(report, indent=1, default=str))
            print(f"   CPU unit p95 {_num(run.get('cpu_unit_ms', {}).get('p95'), 1)} ms, page p95 "
                  f"{_num(run.get('page_s', {}).get('p95'), 3)} s, errors {len(run['errors'])}, {run['wall_s']} s",
                  flush=True)
    finally:
        report["leftover_processes"] = procs.stop(server)
        report["load_after"] = procs.loadavg()
        out_path.write_text(json.dumps(report, indent=1, default=str))
    print("\n" + table(report["runs"]))
    print(f"raw figures: {out_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
