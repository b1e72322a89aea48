"""A class in the browser: learners in their own browser contexts (own cookies, own kernels)
click; the instructor's page, opened once and never reloaded, counts their choices by itself.
And a learner downloads the postmortem of a finished run as a real file."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from . import _pages
from ._server import VoilaServer

REPLAY = "incident-replay.ipynb"

#: JavaScript: the pulse's count for each key in one chart ("first" or "all").
COUNTS = """(which) => Object.fromEntries(Array.from(document.querySelectorAll(`.db-pulse-${which} .db-bar-row`))
    .map(row => [row.querySelector('.db-bar-label').textContent.trim()[0],
                 Number(row.querySelector('.db-bar-value').dataset.count)]))"""


def learner_page(browser: Browser, voila: VoilaServer, **params: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(60_000)
    page = context.new_page()
    _pages.open_notebook(page, voila, REPLAY, selector=".db-choice", **params)
    return page


def test_the_instructor_sees_two_learners_choices_without_reloading(
        page: Page, browser: Browser, voila: VoilaServer, screenshots: Any) -> None:
    group = f"pulse-{uuid.uuid4().hex[:6]}"
    _pages.open_notebook(page, voila, REPLAY, selector=".db-pulse", instructor="1", group=group)
    expect(page.locator(".db-pulse a.db-atlas-link")).to_have_attribute("href", f"branch-atlas.ipynb?group={group}")
    page.evaluate("() => { window.__notReloaded = true; }")
    learners = [learner_page(browser, voila, group=group, name="ana"), learner_page(browser, voila, group=group)]
    try:
        assert page.evaluate(COUNTS, "first") == {"A": 0, "B": 0, "C": 0, "D": 0}
        lags = []
        for learner, key in zip(learners, "BC"):
            _pages.choose(learner, key)  # returns once the learner's own page shows the choice
            clicked = time.monotonic()
            page.wait_for_function(f"() => ({COUNTS})('first')['{key}'] === 1", timeout=30_000)
            lags.append(time.monotonic() - clicked)
        print(f"class pulse: count shown {', '.join(f'{lag:.1f}' for lag in lags)} s after each click")
        assert page.evaluate(COUNTS, "first") == {"A": 0, "B": 1, "C": 1, "D": 0}
        assert page.evaluate(COUNTS, "all") == {"A": 0, "B": 1, "C": 1, "D": 0}
        where = page.locator(".db-pulse-where").inner_text()
        assert "ana" in where and "Round 2: First Triage Data" in where and "anonymous" in where
        assert page.evaluate("() => window.__notReloaded === true")  # the same page, never reloaded
        # learners' pages carry no pulse and no answer key link
        for learner in learners:
            assert learner.locator(".db-pulse").count() == 0
            assert learner.locator("a[href^='branch-atlas.ipynb']").count() == 0
        _pages.full_screenshot(page, str(screenshots / "class-pulse.png"))
    finally:
        for learner in learners:  # closed like a tab: Voila's unload beacon frees the kernel at once
            learner.close(run_before_unload=True)
            learner.context.close()


def test_download_postmortem_is_a_real_file(page: Page, voila: VoilaServer) -> None:
    group = f"pm-{uuid.uuid4().hex[:6]}"
    _pages.open_notebook(page, voila, REPLAY, selector=".db-choice", group=group, name="ana")
    page.locator(".db-reason-input input").fill("Out-of-band console first: the network is down")
    _pages.play_rounds(page, "B-A-A")
    _pages.finish_remediation(page)
    report = page.locator(".db-report")
    expect(report).to_contain_text("Out-of-band console first: the network is down")
    with page.expect_download() as caught:
        report.get_by_text("Download postmortem").click()
    download = caught.value
    assert download.suggested_filename == "bond-failover-postmortem-ana.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("# Postmortem: Network Bonding Failover Not Working")
    assert f"- **Group:** {group}" in text
    assert "| Recommended | 3 | Out-of-band console first: the network is down |" in text


def test_the_welcome_page_shows_a_named_learners_progress(page: Page, voila: VoilaServer, screenshots: Any) -> None:
    name, group = f"ana-{uuid.uuid4().hex[:4]}", "progress"
    _pages.open_notebook(page, voila, "index.ipynb", selector=".db-my-progress", group=group, name=name)
    expect(page.locator(".db-progress-summary")).to_contain_text("0 of 4 primers visited")
    # the header's links keep the name: follow "next" to the first primer, then come back
    page.locator("a.db-nav-next").first.click()
    _pages.wait_rendered(page)
    assert f"name={name}" in page.url
    _pages.open_notebook(page, voila, "index.ipynb", selector=".db-my-progress", group=group, name=name)
    expect(page.locator(".db-progress-summary")).to_contain_text("1 of 4 primers visited")
    expect(page.locator(".db-my-progress h2")).to_have_text(f"Your progress, {name} ({group})")
    _pages.full_screenshot(page, str(screenshots / "welcome-progress.png"))


def test_an_anonymous_learner_is_told_how_to_keep_progress(page: Page, voila: VoilaServer) -> None:
    _pages.open_notebook(page, voila, "index.ipynb", selector=".db-my-progress")
    expect(page.locator(".db-progress-anonymous")).to_contain_text("Your progress is not being kept")
