"""Every course notebook, in the light and the dark theme: it renders with no traceback, error
text or raw widget repr, it is screenshotted to ``test-artifacts/screenshots/``, and axe-core
finds no serious or critical accessibility violation (colour contrast included).

Each (notebook, theme) page is loaded once and the findings are shared by the two tests, so
the suite stays within its time budget on two shared cores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from drillbook.course import default_course

from . import _pages
from ._server import COURSE, VoilaServer

NOTEBOOKS = [entry.file for entry in default_course().pages]
THEMES = ["light", "dark"]
CASES = [pytest.param(nb, theme, id=f"{Path(nb).stem}-{theme}") for nb in NOTEBOOKS for theme in THEMES]
#: axe impacts that fail the suite; "moderate" and "minor" are reported in the artefacts only.
BLOCKING = {"serious", "critical"}

THEME_JS = """() => {
  const bg = getComputedStyle(document.body).backgroundColor.match(/\\d+(\\.\\d+)?/g).map(Number);
  const lum = (0.2126 * bg[0] + 0.7152 * bg[1] + 0.0722 * bg[2]) / 255;
  return {light: document.body.dataset.jpThemeLight, name: document.body.dataset.jpThemeName, luminance: lum};
}"""
#: Where a failing element sits: inside one of our views, or in Voila's own page chrome.
OWNER_JS = """(selector) => {
  const el = document.querySelector(selector);
  if (!el) return 'unknown';
  if (el.closest('.db-root')) return 'drillbook view';
  if (el.closest('.jp-OutputArea-output')) return 'notebook output (widget chrome)';
  if (el.closest('.jp-MarkdownOutput, .jp-RenderedMarkdown')) return 'notebook markdown';
  return 'voila page chrome';
}"""


@dataclass
class Rendered:
    notebook: str
    theme: str
    text: str = ""
    load_error: str = ""
    page_errors: list[str] = field(default_factory=list)
    theme_state: dict[str, Any] = field(default_factory=dict)
    violations: list[dict[str, Any]] = field(default_factory=list)
    screenshot: Path | None = None


_CACHE: dict[tuple[str, str], Rendered] = {}


def rendered(browser: Any, server: VoilaServer, notebook: str, theme: str, shots: Path) -> Rendered:
    """Load a page once per session: its text, errors, theme, axe violations and a screenshot."""
    key = (notebook, theme)
    if key in _CACHE:
        return _CACHE[key]
    from axe_playwright_python.sync_playwright import Axe

    result = Rendered(notebook, theme)
    _CACHE[key] = result
    if not (COURSE / notebook).is_file():
        result.load_error = f"course/{notebook} is listed in course/course.yaml but does not exist"
        return result
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: result.page_errors.append(str(exc)))
    try:
        _pages.open_notebook(page, server, notebook, selector=".db-nav-footer", theme=theme)
        result.text = _pages.visible_text(page)
        result.theme_state = page.evaluate(THEME_JS)
        result.screenshot = shots / f"{Path(notebook).stem}-{theme}.png"
        _pages.full_screenshot(page, str(result.screenshot))
        response = Axe().run(page).response
        for violation in response.get("violations", []):
            for node in violation.get("nodes", []):
                target = node.get("target", ["?"])[0]
                owner = page.evaluate(OWNER_JS, target) if isinstance(target, str) else "unknown"
                result.violations.append({
                    "rule": violation["id"], "impact": violation.get("impact"), "help": violation.get("help"),
                    "target": target, "owner": owner, "html": node.get("html", "")[:200],
                    "summary": (node.get("failureSummary") or "").replace("\n", " ")[:300],
                })
        (shots / f"{Path(notebook).stem}-{theme}.axe.txt").write_text(
            "\n".join(f"{v['impact']:9} {v['rule']:24} [{v['owner']}] {v['target']}\n          {v['html']}\n"
                      f"          {v['summary']}" for v in result.violations) or "no violations\n",
            encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 - recorded and asserted by the tests
        result.load_error = f"{type(exc).__name__}: {exc}"
        try:
            _pages.full_screenshot(page, str(shots / f"{Path(notebook).stem}-{theme}-FAILED.png"))
            result.text = _pages.visible_text(page)
        except Exception:  # noqa: BLE001
            pass
    finally:
        page.close(run_before_unload=True)
        context.close()
    return result


@pytest.mark.parametrize(("notebook", "theme"), CASES)
def test_notebook_renders_cleanly(browser: Any, voila: VoilaServer, screenshots: Path, notebook: str, theme: str) -> None:
    page = rendered(browser, voila, notebook, theme, screenshots)
    assert not page.load_error, f"{notebook} ({theme}) did not finish rendering: {page.load_error}\n{page.text[:1500]}"
    found = _pages.problems(page.text)
    assert not found, f"{notebook} ({theme}) shows {found}:\n{page.text[:2000]}"
    assert not page.page_errors, f"{notebook} ({theme}) raised in the browser: {page.page_errors}"
    if theme == "dark":
        assert page.theme_state["light"] == "false" and page.theme_state["luminance"] < 0.3, page.theme_state
    else:
        assert page.theme_state["luminance"] > 0.7, page.theme_state
    assert page.screenshot is not None and page.screenshot.stat().st_size > 10_000


@pytest.mark.parametrize(("notebook", "theme"), CASES)
def test_notebook_has_no_serious_accessibility_violations(browser: Any, voila: VoilaServer, screenshots: Path,
                                                          notebook: str, theme: str) -> None:
    page = rendered(browser, voila, notebook, theme, screenshots)
    assert not page.load_error, f"{notebook} ({theme}) did not render: {page.load_error}"
    blocking = [v for v in page.violations if v["impact"] in BLOCKING]
    listing = "\n".join(f"- {v['impact']} {v['rule']} in {v['owner']}: {v['target']} :: {v['html']} :: {v['summary']}"
                        for v in blocking[:6])
    more = f"\n(and {len(blocking) - 6} more; all in test-artifacts/screenshots/*.axe.txt)" if len(blocking) > 6 else ""
    assert not blocking, f"axe-core on {notebook} ({theme}) found {len(blocking)} nodes:\n{listing}{more}"


@pytest.mark.parametrize("notebook", ["index.ipynb", "incident-replay.ipynb"])
def test_page_content_sits_in_landmarks(browser: Any, voila: VoilaServer, screenshots: Path, notebook: str) -> None:
    """The rendered notebook is the page's main landmark (the course's Voila template), so
    screen-reader users can jump to it: axe's "region" rule finds nothing outside a landmark."""
    page = rendered(browser, voila, notebook, "light", screenshots)
    assert not page.load_error, f"{notebook} did not render: {page.load_error}"
    outside = [v for v in page.violations if v["rule"] == "region"]
    assert not outside, f"{len(outside)} nodes outside any landmark, e.g. {outside[0]['target']}"


def test_course_links_open_in_the_same_tab(page: Any, voila: VoilaServer) -> None:
    """Header, footer and the damage report's primer links navigate this tab: JupyterLab's HTML
    renderer would otherwise give them target=_blank, a new tab and a new kernel per click."""
    _pages.open_notebook(page, voila, "index.ipynb", selector=".db-nav-footer")
    tabs = len(page.context.pages)
    with page.expect_navigation(timeout=120_000):
        page.locator(".db-nav a.db-nav-next").click()
    assert page.url.endswith("/voila/render/primer-datacenter-hardware.ipynb"), page.url
    page.wait_for_selector(".db-nav-footer a", timeout=120_000)
    with page.expect_navigation(timeout=120_000):
        page.locator(".db-nav-footer a").click()
    assert page.url.endswith("/voila/render/primer-linux-ops.ipynb"), page.url
    primer_link = ".db-report a:not([download])"  # the postmortem download saves a file instead
    _pages.open_notebook(page, voila, "incident-replay.ipynb", selector=primer_link, path="B-A-A")
    with page.expect_navigation(timeout=120_000):
        page.locator(primer_link).first.click()
    assert "/voila/render/primer-" in page.url or "/voila/render/footguns-" in page.url, page.url
    assert len(page.context.pages) == tabs, "a course link opened another tab"
