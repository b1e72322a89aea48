"""The classroom benchmark's real-browser learners (``benchmarks/_chromium_sampler.py``) must
take no CPU the server being measured wants. Run as root, Chromium raises its own threads'
priority (renderers to nice 0, IO threads to -8), so a ``nice 19`` sampler still outranked the
server; every thread of the sampler's Chromium and Playwright driver must be ``SCHED_IDLE``. And
idle priority still let the browsers stall the server's work on both cores (RESULTS.md), so every
thread must also stay on the one CPU the sampler chose, leaving the others to the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ..conftest import REPO

#: Launch Chromium the way the sampler does, then list the scheduling policy, the CPUs allowed
#: and the command of every thread of every process below this one.
_PROBE = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
import _chromium_sampler as sampler
from _procs import CHROMIUM, descendants
from playwright.sync_api import sync_playwright

mode = sampler.stay_out_of_the_servers_way()
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=sampler.SAMPLER_ARGS)
    page = browser.new_page()
    page.set_content("<button>ready</button>")
    page.wait_for_selector("button")
    threads = []
    for pid in descendants(os.getpid()):
        try:
            command = open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
            for tid in os.listdir(f"/proc/{pid}/task"):
                name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
                threads.append([name, os.sched_getscheduler(int(tid)), sorted(os.sched_getaffinity(int(tid))), command])
        except OSError:
            continue  # a thread that ended meanwhile
    browser.close()
print(json.dumps({"mode": mode, "threads": threads}))
"""


@pytest.fixture(scope="module")
def report() -> dict:
    """One probe for both tests: each launch of Chromium costs seconds."""
    done = subprocess.run([sys.executable, "-c", _PROBE, str(REPO / "benchmarks")], capture_output=True,
                          text=True, timeout=120, check=True)
    found: dict = json.loads(done.stdout.strip().splitlines()[-1])
    assert any("chrom" in name.lower() for name, *_ in found["threads"]), found  # Chromium's own were seen
    return found


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_sampled_browsers_run_only_on_cpu_the_server_leaves(report: dict) -> None:
    assert report["mode"].startswith("SCHED_IDLE")
    outranking = [name for name, policy, *_ in report["threads"] if policy != os.SCHED_IDLE]
    assert not outranking, f"threads that compete with the server: {sorted(set(outranking))}"


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one CPU: nothing to leave to the server")
def test_sampled_browsers_stay_on_one_cpu_and_leave_the_others_to_the_server(report: dict) -> None:
    cpus = {cpu for _, _, allowed, _ in report["threads"] for cpu in allowed}
    elsewhere = sorted({f"{name} ({command.split(' --')[0]} {' '.join(command.split()[1:2])})"
                        for name, _, allowed, command in report["threads"] if allowed != [max(cpus)]})
    assert len(cpus) == 1, f"the sampler's threads run on CPUs {sorted(cpus)}; off CPU {max(cpus)}: {elsewhere}"
    assert report["mode"] == f"SCHED_IDLE on CPU {cpus.pop()}"
