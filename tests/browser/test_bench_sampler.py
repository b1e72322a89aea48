"""The classroom benchmark's real-browser learners (``benchmarks/_chromium_sampler.py``) must
take no CPU the server being measured wants. Run as root, Chromium raises its own threads'
priority (renderers to nice 0, IO threads to -8), so a ``nice 19`` sampler still outranked the
server; every thread of the sampler's Chromium and Playwright driver must be ``SCHED_IDLE``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ..conftest import REPO

#: Launch Chromium the way the sampler does, then list the scheduling policy of every thread
#: of every process below this one.
_PROBE = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
import _chromium_sampler as sampler
from _procs import CHROMIUM, CHROMIUM_ARGS, descendants
from playwright.sync_api import sync_playwright

mode = sampler.run_only_when_idle()
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    page = browser.new_page()
    page.set_content("<button>ready</button>")
    page.wait_for_selector("button")
    threads = []
    for pid in descendants(os.getpid()):
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
                threads.append([name, os.sched_getscheduler(int(tid))])
        except OSError:
            continue  # a thread that ended meanwhile
    browser.close()
print(json.dumps({"mode": mode, "threads": threads}))
"""


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_sampled_browsers_run_only_on_cpu_the_server_leaves() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE, str(REPO / "benchmarks")], capture_output=True,
                          text=True, timeout=120, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    threads = report["threads"]
    assert report["mode"] == "SCHED_IDLE"
    assert any("chrom" in name.lower() for name, _ in threads), threads  # Chromium's own were seen
    outranking = [name for name, policy in threads if policy != os.SCHED_IDLE]
    assert not outranking, f"threads that compete with the server: {sorted(set(outranking))}"
