"""``./run hub``: two learners log in to the class hub in Chromium, each gets a course server of
their own, plays round 1 of the replay there under their hub name, and their runs land in the
class's one store; Ctrl+C then leaves no process behind (hub, proxy, culler, servers, kernels)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from . import _pages
from ._hub import Hub
from ._server import ARTIFACTS, cmdline, descendants

LEARNERS = ("ana", "bo-42")
REPLAY = "incident-replay.ipynb"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    running = Hub.start(tmp_path / "state", ARTIFACTS / "hub")
    try:
        yield running
    finally:
        if running.proc.poll() is None:
            running.stop()
        running.kill_leftovers()


def log_in(browser: Any, hub: Hub, name: str) -> Any:
    """The hub's own login form; the hub spawns the learner's server and sends them to it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(120_000)
    page = context.new_page()
    page.goto(hub.base + "hub/login")
    page.locator("input[name=username]").fill(name)
    page.locator("input[type=submit], button[type=submit]").first.click()
    # spawn-pending -> /user/<name>/ -> the course's landing page, in the learner's own server
    page.wait_for_url(re.compile(rf"/user/{re.escape(name)}/voila/render/index\.ipynb"), timeout=180_000)
    _pages.wait_rendered(page)
    return page


def test_two_learners_each_play_round_one_in_their_own_server(browser: Any, hub: Hub) -> None:
    pages = {name: log_in(browser, hub, name) for name in LEARNERS}
    proxies = hub.matching("drillbook.hubproxy")
    assert len(proxies) == len(LEARNERS), "one single-user server per learner"
    assert len(hub.matching("drillbook.singleuser") - proxies) == len(LEARNERS), "each runs the course in Voila"
    for name, page in pages.items():
        page.goto(hub.base + f"user/{name}/voila/render/{REPLAY}", wait_until="commit")
        _pages.wait_rendered(page, ".db-choice")
        expect(page.locator(".db-round-title").first).to_contain_text("Round 1 of 4")
        _pages.play_rounds(page, "B")  # round 1's right call
        expect(page.locator(".db-round-title").first).to_contain_text("Round 2 of 4")
        page.get_by_text("Study notes for this round").click()
        expect(page.get_by_label("Your name")).to_have_value(name)  # the hub user, no ?name= given
        assert not _pages.problems(_pages.visible_text(page))
    # (before anyone leaves a page: a closed page frees its kernel at once)
    for voila in hub.matching("drillbook.singleuser") - proxies:
        assert any("ipykernel" in cmdline(pid) for pid in descendants(voila)), "each replay runs in its learner's server"
    # Another learner's server refuses your login (the hub's OAuth, checked by jhsingle-native-proxy).
    ana, other = pages[LEARNERS[0]], LEARNERS[1]
    response = ana.goto(hub.base + f"user/{other}/voila/render/{REPLAY}")
    assert response is not None and response.status == 403 and "/hub/api/oauth2/authorize" in ana.url
    assert ana.locator(".db-root").count() == 0
    with sqlite3.connect(hub.store) as conn:
        runs = dict(conn.execute("SELECT learner, path_code FROM progress WHERE scenario_id = 'bond-failover'"))
    assert runs == {name: "B" for name in LEARNERS}, "both runs are in the class's one store"
    for page in pages.values():
        page.context.close()

    code = hub.stop()
    assert code == 0, f"Ctrl+C: the hub launcher exited with {code}; log:\n{hub.log_text()[-3000:]}"
    assert hub.leftovers() == [], "processes outlived the hub"
    assert "left behind" not in hub.log_text(), "the hub itself stops every learner's server and kernel"
