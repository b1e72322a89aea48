"""Scenario text full of HTML/JS payloads is shown literally in the browser and never runs.

A throwaway notebook in a tmp folder calls the real replay app on a poisoned copy of the
bonding incident (every prose field ends with the payloads of ``_xss.PAYLOADS``; each sets
``window.__pwned`` and opens an alert). The test plays every choice of every round, so every
result, why, label, cue and the damage report are on screen at some point, and checks after
each step: no dialog, no sentinel, no element with an ``on*`` handler, payloads readable as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from . import _pages
from ._server import REPO, VoilaServer, start_voila_on
from ._xss import SHOWN, write_notebook, write_scenario

FIXTURE = REPO / "tests" / "files" / "xss-scenario.yaml"
WORST = "ACDB-BCDA-BCDA"

INJECTED_JS = """() => {
  const handlers = [];
  for (const el of document.querySelectorAll('body *')) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith('on')) handlers.push(el.tagName + '[' + attr.name + ']');
    }
  }
  const scripts = Array.from(document.querySelectorAll('script'))
    .filter(s => !s.type || /javascript|module/.test(s.type))
    .filter(s => /__pwned|alert\\(1\\)/.test(s.textContent)).length;
  return {pwned: typeof window.__pwned, handlers, scripts,
          images: document.querySelectorAll('img[src="x"]').length,
          svgs: document.querySelectorAll('.db-root svg[onload]').length};
}"""


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    folder = tmp_path_factory.mktemp("xss")
    generated = write_scenario(folder)
    write_notebook(folder, f"from drillbook.ui.pages import app\napp({str(generated)!r})", "xss-generated.ipynb")
    if FIXTURE.exists():
        write_notebook(folder, f"from drillbook.ui.pages import app\napp({str(FIXTURE)!r})", "xss-fixture.ipynb")
    server = start_voila_on("xss", folder, extra=(f"--Voila.config_file_paths={json.dumps([str(REPO)])}",),
                            cwd=folder, env={"DRILLBOOK_DB": str(folder / "db.sqlite3")})
    try:
        yield server
    finally:
        server.stop()
        assert not server.leftovers()


def assert_inert(page: Page, dialogs: list[str]) -> None:
    state = page.evaluate(INJECTED_JS)
    assert dialogs == [], f"a dialog opened: {dialogs}"
    assert state["pwned"] == "undefined", "an injected script ran (window.__pwned is set)"
    assert state["handlers"] == [], f"elements with inline event handlers reached the DOM: {state['handlers'][:5]}"
    assert state["scripts"] == 0, "an injected <script> element reached the DOM"
    assert state["images"] == 0 and state["svgs"] == 0, "an injected element reached the DOM"


def shown_literally(text: str, payloads: tuple[str, ...] = SHOWN) -> list[str]:
    return [p for p in payloads if p not in text]


def test_generated_payloads_are_shown_as_text_and_never_run(page: Page, xss_server: VoilaServer) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _pages.open_notebook(page, xss_server, "xss-generated.ipynb", selector=".db-choice", instructor="1")
    assert_inert(page, dialogs)
    header = page.locator(".db-header").inner_text()
    assert not shown_literally(header), f"the title/setup do not show the payloads literally: {header[:400]}"
    card = page.locator(".db-card").inner_text()
    assert not shown_literally(card), "the round card (cue, what you see, labels, instructor whys) lost a payload"
    for group in WORST.split("-"):
        for key in group:
            _pages.choose(page, key)
            result = page.locator(".db-result").inner_text()
            missing = shown_literally(result)
            assert not missing, f"result of {key} does not show {missing} literally: {result[:300]}"
            assert_inert(page, dialogs)
    # Remediation texts, then the damage report (facts, risks, blast radius, what-if labels).
    remediation = page.locator(".db-remediation").inner_text()
    assert not shown_literally(remediation), "a remediation action text lost a payload"
    code_box = page.locator(".db-controls input[type=text]")
    code_box.fill(WORST)
    page.locator(".db-controls button", has_text="Go").click()
    report = _pages.report_text(page)
    assert "80 minutes" in report
    assert report.count(SHOWN[0]) >= 10, "the report (facts, risks, steps, what-if) should show the payloads literally"
    assert_inert(page, dialogs)
    # Hovering over an element is what an onmouseover payload would wait for.
    page.locator(".db-report").hover()
    page.locator(".db-choice, .db-report h3").first.hover()
    assert_inert(page, dialogs)
    assert not page.page_errors, page.page_errors  # type: ignore[attr-defined]


@pytest.mark.skipif(not FIXTURE.exists(), reason="tests/files/xss-scenario.yaml not created (yet)")
def test_fixture_xss_scenario_opens_no_dialog(page: Page, xss_server: VoilaServer) -> None:
    """The replay helper's own payload file, played to the report: no alert(1) ever fires."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _pages.open_notebook(page, xss_server, "xss-fixture.ipynb", selector=".db-choice", instructor="1")
    assert "<script>alert(1)</script>" in page.locator(".db-header").inner_text()
    _pages.play_rounds(page, "B-A-A")
    expect(page.locator(".db-remediation")).to_be_visible()
    page.locator(".db-controls input[type=text]").fill("B-A-A")
    page.locator(".db-controls button", has_text="Go").click()
    report = _pages.report_text(page)
    assert "<img src=x onerror=alert(1)>" in report
    assert_inert(page, dialogs)
