"""Preheated kernels (``./run serve`` keeps a pool warm; ``--class-size N`` for a class): a page
served by a warm kernel still honours every query parameter, every page is titled from the
course, and stopping the server leaves no kernel behind.

The session's ``voila`` server is ``./run serve`` as shipped, so it preheats too (one warm kernel
per notebook); each test checks in the server's log that its page really came from the pool.
"""

from __future__ import annotations

import os
import re
import signal
import time
from html import unescape
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from drillbook.content import course_dir
from drillbook.course import default_course, page_title
from drillbook.pool import NOT_PREHEATED, STARTS, warm_kernel_count

from . import _pages
from ._server import VoilaServer, alive, start_course_server

REPLAY = "incident-replay.ipynb"


def _served_warm(server: VoilaServer, kernel: str, notebook: str) -> bool:
    return f"Using pre-heated kernel: {kernel} for {notebook}" in server.log_text()


def _wait_pool_warm(server: VoilaServer, notebook: str, timeout: float = 240) -> None:
    """Until ``notebook``'s pool has its page built again: Voila logs "filled" once for the
    first fill and once per refill, and every kernel handed out is refilled."""
    def warm() -> bool:
        log = server.log_text()
        handed_out = len(re.findall(rf"Using pre-heated kernel: \S+ for {re.escape(notebook)}$", log, re.M))
        return log.count(f"Kernel pool of {notebook} is filled") > handed_out

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not warm():
        time.sleep(0.5)
    assert warm(), f"{notebook}'s pool was not warm within {timeout:.0f} s"


def test_warm_replay_honours_path_instructor_name_and_group(page: Page, voila: VoilaServer) -> None:
    """The replay cell waits in the warm kernel until the request arrives, then opens at the
    end of ``?path=``, with the instructor view on and the notes under ``?group=`` / ``?name=``."""
    learner = f"warm-{time.monotonic_ns() % 10**8}"
    _wait_pool_warm(voila, REPLAY)
    _pages.open_notebook(page, voila, REPLAY, selector=".db-report",
                         path="B-A-A", instructor="1", name=learner, group="red-team")
    assert _served_warm(voila, _pages.kernel_id(page), REPLAY), "the page did not come from the pool"
    assert _pages.path_code(page) == "B-A-A"
    expect(page.locator(".db-report")).to_contain_text("15 minutes")
    expect(page.locator(".db-instructor-toggle input")).to_be_checked()
    page.get_by_text("Study notes for this round").click()
    expect(page.get_by_label("Group")).to_have_value("red-team")
    expect(page.get_by_label("Your name")).to_have_value(learner)
    assert not _pages.problems(_pages.visible_text(page))


def test_warm_replay_without_a_query_starts_fresh(page: Page, voila: VoilaServer) -> None:
    """No parameters: round 1, instructor view off, nothing pre-filled (the warm kernel does not
    keep a previous learner's query)."""
    _wait_pool_warm(voila, REPLAY)
    _pages.open_notebook(page, voila, REPLAY, selector=".db-choice")
    assert _served_warm(voila, _pages.kernel_id(page), REPLAY)
    assert _pages.path_code(page) == ""
    expect(page.locator(".db-instructor-toggle input")).not_to_be_checked()
    expect(page.locator(".db-round-title").first).to_contain_text("Round 1")


def test_every_page_is_titled_from_the_course(page: Page, voila: VoilaServer) -> None:
    """The tab says "Welcome · drillbook: on-call drills", not "index"."""
    _pages.open_notebook(page, voila, "index.ipynb")
    expect(page).to_have_title("Welcome · drillbook: on-call drills")
    for entry in default_course().entries:
        if entry.file in NOT_PREHEATED:  # the answer key runs for minutes; same template
            continue
        with urllib.request.urlopen(_pages.render_url(voila, entry.file), timeout=120) as resp:
            html = resp.read().decode("utf-8")
        titles = [unescape(t) for t in re.findall(r"<title>([^<]*)</title>", html)]
        assert titles[0] == page_title(entry.file), entry.file
        assert titles[0].startswith(entry.title)


def _watch_warm_up(server: VoilaServer, total: int, until: int | None = None) -> tuple[list[int], list[int]]:
    """Sample the pool filling until ``until`` (default: all ``total``) kernels are warm: how
    many kernels were still building their page, and how many were warm, at each sample."""
    building: list[int] = []
    warm: list[int] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        kernels = len(server.kernel_pids())
        waiting = server.kernels_waiting_for_learners()
        building.append(kernels - waiting)
        warm.append(waiting)
        if waiting >= (total if until is None else until):
            break
        time.sleep(0.3)
    assert warm[-1] >= (total if until is None else until), f"the pool never warmed: {warm[-10:]}"
    return building, warm


def test_stopping_while_the_pool_warms_starts_nothing_more(browser: Any) -> None:
    """Ctrl+C while a class's pool is still warming: the kernels queued for warm-up are never
    started, those warming stop, and the server exits with no process left behind."""
    server = start_course_server("pool-warming-stop", serve_args=("--class-size", "12"))
    try:
        total = warm_kernel_count(12, course_dir().rglob("*.ipynb"))
        _watch_warm_up(server, total, until=1)
        assert server.proc is not None
        os.kill(server.proc.pid, signal.SIGINT)
        server.proc.wait(timeout=120)
        started = server.log_text().count("Kernel started:")
        assert started < total, f"all {total} pool kernels were started although the server was stopping"
    finally:
        server.stop()
    assert not server.leftovers(), server.leftovers()


@pytest.mark.timeout(400)
def test_class_pool_stops_without_stray_kernels(browser: Any) -> None:
    """``./run serve --class-size 3``: the pool fills (3 replay kernels, one per other notebook);
    four learners arrive at once: three get warm kernels, the fourth (beyond the pool) a kernel
    started for them at once, not a refill that first sits out its 15 s fill delay (Voila's own
    pool would have given them that); each plays; then Ctrl+C stops the server with every kernel
    (warm, handed out, started, refilled) gone: Voila's own shutdown, not the harness's SIGKILL."""
    server = start_course_server("pool-shutdown", serve_args=("--class-size", "3"))
    try:
        total = warm_kernel_count(3, course_dir().rglob("*.ipynb"))
        building, warm_seen = _watch_warm_up(server, total)
        assert len(server.kernel_pids()) == total  # every kernel Voila started is counted
        _wait_pool_warm(server, REPLAY, timeout=10)  # Voila logs it just after the last page is built
        assert "Kernel pool of incident-replay.ipynb is filled with 3 kernel(s)" in server.log_text()
        assert f"Warm pages: 1 of {total} built" in server.log_text()  # the instructor sees the progress
        assert f"Warm pages: all {total} built; learners get their pages at once" in server.log_text()
        # a few at a time, never the whole pool at once, and warm kernels appear along the way
        assert 1 <= max(building) <= STARTS.at_once, building
        assert any(0 < seen < max(warm_seen) for seen in warm_seen), warm_seen
        contexts = [browser.new_context() for _ in range(4)]
        pages = [context.new_page() for context in contexts]
        for i, page in enumerate(pages):  # all four requests reach the server within a second
            page.goto(_pages.render_url(server, REPLAY, name=f"learner-{i}"), wait_until="commit",
                      timeout=_pages.RENDER_TIMEOUT)
        for page in pages:
            _pages.wait_rendered(page, ".db-choice")
        kernels = [_pages.kernel_id(page) for page in pages]
        warm = [k for k in kernels if _served_warm(server, k, REPLAY)]
        assert len(warm) == 3 and len(set(kernels)) == 4, kernels
        beyond = pages[[i for i, k in enumerate(kernels) if k not in warm][0]]
        for page in (pages[0], beyond):
            _pages.choose(page, "B")
        for context in contexts:
            context.close()
        running = server.kernel_pids()
        assert len(running) >= 4 + 6, f"expected the learners' and the warm kernels, saw {len(running)}"
        assert server.proc is not None
        os.kill(server.proc.pid, signal.SIGINT)  # what Ctrl+C in ./run serve sends
        server.proc.wait(timeout=120)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(alive(pid) for pid in running):
            time.sleep(0.5)
        stray = [pid for pid in running if alive(pid)]
        assert not stray, f"{len(stray)} kernels outlived the server"
    finally:
        server.stop()
    assert not server.leftovers(), server.leftovers()
