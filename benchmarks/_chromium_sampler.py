"""Real Chromium learners for the classroom benchmark, in a process of their own, run only on
CPU time the server leaves (Linux's ``SCHED_IDLE``) and on one CPU.

The classroom benchmark measures the server with protocol-level learners (``_protocol.py``) and
samples a few real browsers during the load for the end-to-end figure. They run at idle priority
and on one CPU only (:func:`stay_out_of_the_servers_way`). Run in the measuring
process, the browsers' Playwright traffic shared the protocol learners' event loop and their
Chromium and Playwright driver took seconds of CPU from the 2 cores the server runs on, so the
figures measured the load generator (a browser learner arriving at 0.3 s pushed the next
learners' pages from 0.2 s to 3 s). Here the sampler, its Playwright driver and its Chromium
run in one process tree that gets only what the server and kernels leave, which is what a
real learner's browser, on their own laptop, never competes for.

``nice 19`` is not enough: Chromium sets its own threads' priority, and run as root (as here)
it raises its renderers to nice 0 and its IO threads to -8, above the server (seen with
``ps -eLo ni,cls``). ``SCHED_IDLE`` is inherited by every process and thread it starts, and
Chromium's priority changes (nice values) do not lift a thread out of it.

With ``--from-welcome`` each learner's browser profile has opened the welcome page before
``ready`` (its HTTP cache holds Voila's front end, as for a class that has the course open when
the instructor says "open the replay"); without it every learner comes with a cold cache.

Protocol with ``classroom.py``: prints ``ready`` once the browser is up, waits for a line on
stdin (the class starts), then runs ``--learners`` visits spread over ``--spread`` seconds and
prints one JSON list of ``_pages.Learner`` records.

    python benchmarks/_chromium_sampler.py --base URL --target replay --learners 3 --spread 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _pages as pages  # noqa: E402
from _procs import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


#: The sampler's Chromium: the tests' flags, and no software GPU rasterizer. With ``--disable-gpu``
#: Chromium still starts a GPU process whose rasterizer (SwiftShader) pins its worker threads to
#: CPUs of its choosing, out of the one CPU :func:`confine_to_one_cpu` gave the sampler; without
#: it the browser draws the page in its own processes, which stay where they were put.
SAMPLER_ARGS = [*CHROMIUM_ARGS, "--disable-software-rasterizer"]


def target_for(name: str) -> pages.Target:
    """The end-to-end sample: open, first choice usable, one click until its result shows."""
    if name == "baseline":
        return pages.baseline_target(clicks=1)
    first = pages.replay_target().clicks[0]
    return pages.Target("incident-replay", "/voila/render/incident-replay.ipynb", "button.db-choice",
                        ({**first, "then": None, "thenText": None},))


async def seated(browser: Any, base: str, welcome: pages.Target, learners: int, timeout: float) -> list[Any]:
    """Learners who already have the course open: each profile has loaded the welcome page
    (Voila's front end is in its HTTP cache, as in a class told "now open the replay")."""
    profiles = []
    for _ in range(learners):
        context = await pages.new_learner_context(browser, vanish=True)
        tab = await context.new_page()
        await tab.goto(base + welcome.path, wait_until="commit", timeout=timeout * 1000)
        await tab.wait_for_function(pages.READY_JS, arg=welcome.ready, polling="raf", timeout=timeout * 1000)
        await tab.close(run_before_unload=False)
        profiles.append(context)
    return profiles


async def sample(base: str, target: pages.Target, learners: int, spread_s: float, timeout: float,
                 from_welcome: bool = False) -> list[pages.Learner]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=SAMPLER_ARGS)
        welcome = pages.welcome_target() if target.name != "baseline" else target
        profiles = await seated(browser, base, welcome, learners, timeout) if from_welcome else [None] * learners
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        start = time.monotonic()
        people = [pages.Learner(i) for i in range(learners)]

        async def visit(who: pages.Learner) -> Any:
            await asyncio.sleep(spread_s * (who.index + 0.5) / learners)
            try:  # Playwright's timeouts are per step: bound the whole visit like a protocol learner's
                return await asyncio.wait_for(pages.learner(browser, base, target, who, start, int(timeout * 1000),
                                                            vanish=True, context=profiles[who.index]), timeout)
            except asyncio.TimeoutError:
                who.errors.append(f"at '{who.step}': no usable page within {timeout:.0f} s")
                return None

        opened = await asyncio.gather(*(visit(p) for p in people))
        for context, tab in (o for o in opened if o is not None):
            try:
                await tab.close(run_before_unload=False)
                await context.close()
            except Exception:  # noqa: BLE001 - closing is best effort; kernels are checked after
                pass
        await browser.close()
    return people


def run_only_when_idle() -> str:
    """This process, and all it starts, runs only on CPU time nothing else wants."""
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return "SCHED_IDLE"
    os.nice(19)  # elsewhere the lowest priority there is, which Chromium may raise again
    return "nice 19"


def confine_to_one_cpu() -> int | None:
    """This process, and all it starts, runs on one CPU only (the last): the others never see it.

    ``SCHED_IDLE`` yields the CPU to the server's threads but not the stalls Chromium causes
    meanwhile (its work in the Linux kernel, the caches it evicts). ``interference.py``, 2
    idle-priority browsers loading the replay while protocol learners open it one at a time:
    the learners' page p95 went from 0.094 s alone to 0.284 s with the browsers on any CPU, and
    to 0.104 s with them on one CPU (RESULTS.md). The server and its kernels still have every
    CPU; the browsers only ever disturb one. ``None`` (nothing done) on a one-CPU machine.
    """
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = os.sched_getaffinity(0)
    if len(cpus) < 2:
        return None
    cpu = max(cpus)
    os.sched_setaffinity(0, {cpu})
    return cpu


def stay_out_of_the_servers_way(one_cpu: bool = True) -> str:
    """Idle priority, and one CPU unless ``one_cpu`` is false, for this process and all it starts
    (the sampler's Playwright driver and Chromium); says what was done."""
    mode = run_only_when_idle()
    cpu = confine_to_one_cpu() if one_cpu else None
    return mode if cpu is None else f"{mode} on CPU {cpu}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--target", choices=("replay", "baseline"), required=True)
    parser.add_argument("--learners", type=int, default=3)
    parser.add_argument("--spread", type=float, default=2.0)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--from-welcome", action="store_true",
                        help="each learner has had the welcome page open before (warm HTTP cache)")
    args = parser.parse_args()
    print(f"chromium sampler: {stay_out_of_the_servers_way()}", file=sys.stderr)  # the browser and its driver inherit it
    people = asyncio.run(sample(args.base, target_for(args.target), args.learners, args.spread, args.timeout,
                                args.from_welcome))
    print(json.dumps([asdict(p) for p in people]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
