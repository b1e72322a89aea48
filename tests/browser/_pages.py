"""Page-level helpers: open a course notebook in Voila, wait for it, drive the replay like a user.

Selectors used (from the views' own CSS classes, which are their styling hooks too):
``.db-root`` (every drillbook view), ``.db-choice`` (choice buttons, text "B) label"),
``.db-path-code code`` (the path so far), ``.db-round-title``, ``.db-report`` (damage report),
``.db-run-for-me`` / ``.db-followup`` / ``.db-close`` (remediation), ``.db-message-area``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from playwright.sync_api import Page, expect

from ._server import VoilaServer

#: Text that must never reach a learner's page.
ERROR_MARKERS = (
    "Traceback (most recent call last)",
    "There was an error when executing cell",
    "Error executing",
    "Kernel died",
    "ModuleNotFoundError",
    "ImportError",
    "NameError:",
    "AttributeError:",
    "TypeError:",
    "ValueError:",
    "KeyError:",
    "SyntaxError",
    "Something unexpected went wrong",  # the views' friendly fallback: fine in a callback, not on load
    "Cannot open the ",  # a page's entry point could not build it (ui/pages.py)
)
#: Raw reprs that show a widget (or any object) failed to render as what it is.
RAW_REPRS = ("VBox(children=", "HBox(children=", "(children=", "Button(description=", "HTML(value=",
             "<ipywidgets", "<IPython.core.display", "<drillbook.", "object at 0x", "Label(value=",
             "ReplayApp(", "QuizView(", "NotesPanel(", "Console(")

RENDER_TIMEOUT = 120_000


def render_url(server: VoilaServer, notebook: str, **params: str) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return server.url(f"/voila/render/{quote(notebook)}{query}")


def wait_rendered(page: Page, selector: str | None = ".db-root", timeout: float = RENDER_TIMEOUT) -> None:
    """Wait until Voila ran every cell (spinner gone, cells shown) and ``selector`` is visible."""
    page.wait_for_function(
        "() => { const cells = document.querySelector('#rendered_cells');"
        " return document.readyState !== 'loading' && !document.querySelector('#loading')"
        " && !!cells && getComputedStyle(cells).display !== 'none'; }",
        timeout=timeout,
    )
    if selector:
        page.locator(selector).first.wait_for(state="visible", timeout=timeout)
    # Widget views are created asynchronously after the cells are shown: wait until no output
    # area is empty or still says "Loading widget..." (Voila's placeholder until the view exists).
    page.wait_for_function(
        "() => !Array.from(document.querySelectorAll('#rendered_cells .jp-OutputArea-output'))"
        ".some(e => (e.childElementCount === 0 && !(e.textContent || '').trim())"
        " || /Loading widget/.test(e.textContent || ''))",
        timeout=timeout,
    )


def full_screenshot(page: Page, path: str) -> None:
    """A screenshot of the whole page: Voila scrolls inside an element, not the document, so
    the viewport is stretched to the tallest scrolling content first (and restored after)."""
    size = page.viewport_size or {"width": 1280, "height": 900}
    height = page.evaluate(
        "() => Math.max(document.documentElement.scrollHeight, ...Array.from(document.querySelectorAll('*'))"
        ".filter(e => /(auto|scroll)/.test(getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight + 1)"
        ".map(e => { e.scrollTop = 0; return e.scrollHeight + Math.max(0, e.getBoundingClientRect().top); }))"
    )
    page.set_viewport_size({"width": size["width"], "height": int(min(max(height, size["height"]), 12_000))})
    try:
        page.screenshot(path=path, full_page=True, timeout=180_000)  # tall pages on a busy machine
    finally:
        page.set_viewport_size(size)


def open_notebook(page: Page, server: VoilaServer, notebook: str, selector: str | None = ".db-root",
                  **params: str) -> None:
    page.goto(render_url(server, notebook, **params), wait_until="commit", timeout=RENDER_TIMEOUT)
    wait_rendered(page, selector)


def visible_text(page: Page) -> str:
    return page.evaluate("() => document.body.innerText")


def problems(text: str) -> list[str]:
    """Error text or raw reprs found in a page's visible text."""
    return [m for m in ERROR_MARKERS + RAW_REPRS if m in text]


# -- the replay -------------------------------------------------------------------------------

def path_code(page: Page) -> str:
    loc = page.locator(".db-path-code code")
    return loc.first.inner_text() if loc.count() else ""


def choice_button(page: Page, key: str):  # type: ignore[no-untyped-def]
    return page.locator(".db-choice", has_text=re.compile(rf"^\s*{key}\)"))


def choose(page: Page, key: str) -> None:
    """Press choice ``key`` with the mouse and wait until the path shows it."""
    before = path_code(page)
    button = choice_button(page, key)
    expect(button).to_be_enabled()
    button.click()
    wait_path_grew(page, before, key)


def wait_path_grew(page: Page, before: str, key: str) -> None:
    """The path code after a choice is the old one plus the key (maybe after a '-')."""
    allowed = {before + key, before + "-" + key} if before else {key}
    page.wait_for_function(
        "(allowed) => { const c = document.querySelector('.db-path-code code');"
        " return c && allowed.includes(c.textContent.trim()); }",
        arg=sorted(allowed),
        timeout=60_000,
    )


def play_rounds(page: Page, code: str) -> None:
    """Take every key of a replay code such as ``B-A-A`` or ``ACDB-BCDA-BCDA`` by clicking."""
    for group in code.split("-"):
        for key in group:
            choose(page, key)


def finish_remediation(page: Page) -> None:
    """Work the remediation checklist like a learner: run each command, tick each follow-up."""
    page.locator(".db-remediation").wait_for(state="visible")
    runs = page.locator(".db-run-for-me")
    for i in range(runs.count()):
        button = runs.nth(i)
        if button.is_enabled():  # an action already done on the console is disabled
            handle = button.element_handle()
            button.click()
            wait_done(page, handle)
    boxes = page.locator(".db-followup input[type=checkbox]")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        if box.is_enabled():
            handle = box.element_handle()  # taken first: the last tick removes the checklist
            box.click()  # not check(), for the same reason
            wait_done(page, handle)
    page.locator(".db-report").wait_for(state="visible", timeout=60_000)


def wait_done(page: Page, handle: Any) -> None:
    """Wait until a checklist control is disabled by the kernel, or gone because the last
    action finished the incident and the checklist made way for the damage report."""
    page.wait_for_function("(el) => !el.isConnected || el.disabled", arg=handle, timeout=60_000)


def report_text(page: Page) -> str:
    report = page.locator(".db-report")
    report.wait_for(state="visible", timeout=60_000)
    return report.inner_text()


def kernel_id(page: Page) -> str:
    """The id of the kernel serving this page (Voila writes it into the page's config)."""
    return str(page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"))
