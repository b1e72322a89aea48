"""Classroom benchmark: does one server hold a class? Measures the server, not the load generator.

    .venv/bin/python benchmarks/classroom.py                 # N = 1, 10, 30, 100 x 3 set-ups (~40 min)
    .venv/bin/python benchmarks/classroom.py --sizes 1,10    # a subset
    .venv/bin/python benchmarks/classroom.py --configs course-pool --sizes 30

Learners are simulated at the protocol level (``_protocol.py``: the page request, the kernel
websocket, the widget state, one real click), so a hundred of them cost the machine almost
nothing; for N >= 10, three of the N are real headless Chromium learners (Playwright) that
give the end-to-end figure: time until the first choice button is usable, and
one click until its result shows. They run in a process of their own under ``SCHED_IDLE`` and
on one CPU only (``_chromium_sampler.py``) so that they take neither the cores from the server
being measured nor the event loop from the protocol learners (what they still cost the server:
``interference.py``). Learners arrive evenly
within 2 s, each named in the address (``?name=learner-<i>&group=bench``), as a class is.

Three set-ups, each on a fresh server with a short cull timeout (every handed-out kernel must be
culled afterwards; warm pool kernels must stay):

* ``bare``: bare Voila on a one-cell Button notebook (the same method, the reference);
* ``course-no-pool``: ``./run serve --class-size 0``: a kernel started per page view;
* ``course-pool``: ``./run serve --class-size min(N, 30)``: N warm replay kernels, and 100
  learners on a pool of 30.

Per run: p50/p95 of the time to the full page and of the click round trip, errors, server and
kernel CPU-seconds (``/proc``, sampled every 0.5 s), peak RSS of server + kernels, and the
throughput (learners with a full page per second, from the first arrival to the last full page).
This machine's limit for learners per second is cores / (CPU-seconds the server and a kernel
spend to start and execute the replay for one learner, measured on ``course-no-pool`` N=1).
Results go to ``test-artifacts/bench/classroom-*.json`` and a Markdown table on stdout; the
summary in ``benchmarks/RESULTS.md`` is written by hand from it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _pages as pages  # noqa: E402
import _procs as procs  # noqa: E402
import _protocol as proto  # noqa: E402

from drillbook import pool as course_pool  # noqa: E402
from drillbook.content import course_dir  # noqa: E402

LOGS = procs.REPO / "test-artifacts" / "bench"
CONFIGS = ("bare", "course-no-pool", "course-pool")
SIZES = (1, 10, 30, 100)
POOL_CAP = 30  #: the issue's "100 learners on a pool of 30"
SPREAD_S = 2.0
CULL_IDLE, CULL_INTERVAL = 60, 5  #: short, yet longer than a page takes on a busy machine
CHROMIUM_SAMPLES = 3


def pct(values: list[float], q: float) -> float | None:
    data = sorted(values)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def start_server(config: str, n: int, db: Path) -> tuple[procs.VoilaServer, Any, proto.Page, int]:
    """(server, temp dir to clean, page, warm kernels expected) for one run."""
    cull = procs.cull_args(CULL_IDLE, CULL_INTERVAL)
    if config == "bare":
        server, tmp = procs.baseline_server(LOGS, cull, name=f"class-bare-{n}")
        return server, tmp, proto.baseline_page(), 0
    size = 0 if config == "course-no-pool" else min(n, POOL_CAP)
    server = procs.start_course_server(f"bench-class-{config}-{n}", tuple(cull), log_dir=LOGS,
                                       serve_args=("--class-size", str(size)), env={"DRILLBOOK_DB": str(db)})
    warm = course_pool.warm_kernel_count(size, map(str, course_dir().rglob("*.ipynb")))
    return server, None, proto.replay_page(), warm


def wait_warm(server: procs.VoilaServer, warm: int, timeout: float = 600) -> float:
    """Until the pool holds ``warm`` kernels that have all run their notebooks (on a busy machine
    a CPU-quiet test is fooled: a starved kernel looks idle); returns the seconds it took."""
    t0 = time.monotonic()
    while warm and time.monotonic() - t0 < timeout and server.kernels_waiting_for_learners() < warm:
        time.sleep(2)
    return time.monotonic() - t0


class ChromiumSampler:
    """``_chromium_sampler.py`` in a process of its own (idle priority, one CPU): started and its
    browser up before the class, released when the class starts, its learners read back at the end."""

    def __init__(self, base: str, config: str, learners: int, spread_s: float, timeout: float,
                 from_welcome: bool = False) -> None:
        import subprocess

        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve().parent / "_chromium_sampler.py"), "--base", base,
             "--target", "baseline" if config == "bare" else "replay", "--learners", str(learners),
             "--spread", str(spread_s), "--timeout", str(timeout), *(["--from-welcome"] if from_welcome else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.timeout = timeout

    def wait_ready(self) -> None:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"the Chromium sampler did not start: {line!r}")

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def learners(self) -> list[pages.Learner]:
        out, _ = self.proc.communicate(timeout=self.timeout + 120)
        records = json.loads(out.strip().splitlines()[-1])
        return [pages.Learner(**record) for record in records]


async def run_class(server: procs.VoilaServer, config: str, page: proto.Page, n: int, warm: int,
                    timeout: float, chromium: int, from_welcome: bool = False,
                    ) -> tuple[list[proto.Result], list[pages.Learner], proto.Sampler]:
    assert server.proc is not None
    sampler = proto.Sampler(server.proc.pid, server.kernel_pids)
    samples = max(0, min(chromium, n - 1)) if n >= 10 else 0
    browsers = ChromiumSampler(server.base, config, samples, SPREAD_S, timeout, from_welcome) if samples else None
    if browsers is not None:
        await asyncio.to_thread(browsers.wait_ready)
        if from_welcome:  # the welcome pages took warm kernels: the class starts on a full pool
            await asyncio.to_thread(wait_warm, server, warm)
    sampling = asyncio.create_task(sampler.run(procs.cpu_seconds, procs.rss_kib))
    try:
        if browsers is not None:
            browsers.go()
        protocol = await proto.class_of(server.base, page, n - samples, SPREAD_S, timeout)
        people = await asyncio.to_thread(browsers.learners) if browsers is not None else []
    finally:
        sampler.running = False
        await sampling
    if n == 1:  # the single learner's end-to-end figure, alone on the server afterwards
        await asyncio.to_thread(wait_warm, server, warm)  # the pool refilled, as for a lone learner
        alone = ChromiumSampler(server.base, config, 1, 0.0, timeout)
        await asyncio.to_thread(alone.wait_ready)
        alone.go()
        people = await asyncio.to_thread(alone.learners)
    return protocol, people, sampler


def wait_culled(server: procs.VoilaServer, kernel_ids: list[str]) -> tuple[int, float]:
    """Kernels handed out that are still alive after the cull timeout (should be 0), and when."""
    t0 = time.monotonic()
    deadline = t0 + CULL_IDLE + 3 * CULL_INTERVAL + 60
    alive = [k for k in kernel_ids if server.kernel_pid(k) is not None]
    while alive and time.monotonic() < deadline:
        time.sleep(1)
        alive = [k for k in alive if server.kernel_pid(k) is not None]
    return len(alive), time.monotonic() - t0


def one_run(config: str, n: int, timeout: float, chromium: int = CHROMIUM_SAMPLES,
            from_welcome: bool = False) -> dict[str, Any]:
    db = Path(tempfile.mkdtemp(prefix="drillbook-class-")) / "drillbook.sqlite3"
    out: dict[str, Any] = {"config": config, "n": n, "load_before": procs.loadavg()}
    server, tmp, page, warm = start_server(config, n, db)
    try:
        out["pool_size"] = 0 if config != "course-pool" else min(n, POOL_CAP)
        out["warm_kernels"] = warm
        out["warm_up_s"] = round(wait_warm(server, warm), 1)
        out["warm_rss_mib"] = round(sum(procs.rss_kib(p) for p in server.kernel_pids()) / 1024, 1)
        out["chromium_from_welcome"] = from_welcome
        protocol, people, sampler = asyncio.run(run_class(server, config, page, n, warm, timeout, chromium, from_welcome))
        done = [r for r in protocol if r.error is None]
        out["protocol"] = [asdict(r) for r in protocol]
        out["page_s"] = {"p50": pct([r.full_s for r in done if r.full_s], 50),
                         "p95": pct([r.full_s for r in done if r.full_s], 95)}
        out["html_s"] = {"p50": pct([r.html_s for r in done if r.html_s], 50),
                         "p95": pct([r.html_s for r in done if r.html_s], 95)}
        out["click_s"] = {"p50": pct([r.click_s for r in done if r.click_s], 50),
                          "p95": pct([r.click_s for r in done if r.click_s], 95)}
        errors = [f"protocol {r.index}: {r.error}" for r in protocol if r.error]
        errors += [f"chromium {p.index}: {e}" for p in people for e in p.errors]
        errors += [f"chromium {p.index}: unfinished at {p.step}" for p in people
                   if not p.errors and len(p.clicks) < 1]
        out["errors"] = errors
        finished = [r.done_at_s for r in protocol if r.done_at_s is not None]
        out["served"] = len(finished)
        out["span_s"] = max(finished) if finished else None
        out["throughput_per_s"] = len(finished) / max(finished) if finished else None
        out["server_cpu_s"] = round(sampler.server_cpu, 2)
        out["kernel_cpu_s"] = round(sampler.kernel_cpu(), 2)
        out["started_kernel_cpu_s"] = round(sampler.started_kernel_cpu(), 2)
        out["peak_rss_mib"] = round(sampler.peak_rss_kib / 1024, 1)
        out["chromium"] = [{"tti_ms": p.tti_ms, "click_ms": (p.clicks[0] or {}).get("result") if p.clicks else None,
                            "errors": p.errors} for p in people]
        handed = [r.kernel_id for r in protocol if r.kernel_id] + [p.kernel_id for p in people if p.kernel_id]
        left, waited = wait_culled(server, handed)
        out["handed_out"] = len(handed)
        out["not_culled"] = left
        out["cull_wait_s"] = round(waited, 1)
        out["kernels_after_cull"] = len(server.kernel_pids())
    finally:
        out["leftover_processes"] = procs.stop(server)
        if tmp is not None:
            tmp.cleanup()
        out["load_after"] = procs.loadavg()
    return out


def fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.0f} ms" if unit == "ms" else f"{value:.2f} s"


def table(runs: list[dict[str, Any]], limit: float | None) -> str:
    head = ("| set-up | N | pool | page p50 | page p95 | click p50 | click p95 | errors | server CPU-s | "
            "kernel CPU-s | peak RSS | learners/s | % of limit | Chromium TTI / click | culled |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    rows = []
    for r in runs:
        chrome = ", ".join(f"{c['tti_ms'] / 1000:.1f} s / {c['click_ms']:.0f} ms" if c["tti_ms"] and c["click_ms"]
                           else "err" for c in r.get("chromium", []))
        tput = r.get("throughput_per_s")
        share = f"{100 * tput / limit:.0f} %" if tput and limit else "–"
        rows.append(f"| {r['config']} | {r['n']} | {r.get('pool_size', 0)} | {fmt(r['page_s']['p50'])} | "
                    f"{fmt(r['page_s']['p95'])} | {fmt(r['click_s']['p50'], 'ms')} | {fmt(r['click_s']['p95'], 'ms')} | "
                    f"{len(r['errors'])} | {r['server_cpu_s']:.1f} | {r['kernel_cpu_s']:.1f} | {r['peak_rss_mib']:.0f} MiB | "
                    f"{tput:.2f} | {share} | {chrome or '–'} | "
                    f"{r['handed_out'] - r['not_culled']}/{r['handed_out']} |" if tput is not None else
                    f"| {r['config']} | {r['n']} | – | failed: {r['errors'][:1]} |")
    return head + "\n".join(rows) + "\n"


def machine_limit(runs: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    """(CPU-seconds per learner, learners/s this machine's cores can start and execute)."""
    for r in runs:
        if r["config"] == "course-no-pool" and r["n"] == 1 and not r["errors"]:
            cpu = r["server_cpu_s"] + r["kernel_cpu_s"]
            return cpu, (os.cpu_count() or 1) / cpu
    return None, None


def stop_on_sigterm(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # so that every server started is stopped on the way out


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--timeout", type=float, default=300, help="per-learner limit (s); bounds N=100")
    parser.add_argument("--chromium-samples", type=int, default=CHROMIUM_SAMPLES,
                        help="real Chromium learners among the N (N >= 10; 0: protocol learners only)")
    parser.add_argument("--chromium-from-welcome", action="store_true",
                        help="the Chromium learners have had the welcome page open (Voila's front end cached)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    configs = [c for c in args.configs.split(",") if c]
    LOGS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M")
    out_path = LOGS / f"classroom-{stamp}.json"
    runs: list[dict[str, Any]] = []
    print(f"classroom benchmark: sizes {sizes}, set-ups {configs}, loadavg {procs.loadavg()}", flush=True)
    for n in sizes:
        for config in configs:
            t0 = time.monotonic()
            print(f"-- {config} N={n} ...", flush=True)
            try:
                run = one_run(config, n, args.timeout, args.chromium_samples, args.chromium_from_welcome)
            except Exception as exc:  # noqa: BLE001 - one failed run must not lose the others
                run = {"config": config, "n": n, "errors": [f"run failed: {type(exc).__name__}: {exc}"]}
            run["wall_s"] = round(time.monotonic() - t0, 1)
            runs.append(run)
            out_path.write_text(json.dumps({"cores": os.cpu_count(), "runs": runs}, indent=1, default=str))
            print(f"   page p95 {run.get('page_s', {}).get('p95')}, click p95 {run.get('click_s', {}).get('p95')}, "
                  f"errors {len(run['errors'])}, {run['wall_s']} s", flush=True)
    cpu, limit = machine_limit(runs)
    text = (f"cores {os.cpu_count()}; CPU-s per learner (course, no pool, N=1): {cpu}; limit {limit} learners/s\n\n"
            + table([r for r in runs if "page_s" in r], limit))
    (LOGS / f"classroom-{stamp}.md").write_text(text)
    print("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
