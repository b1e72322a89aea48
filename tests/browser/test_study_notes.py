"""Study groups annotate a primer in the served course: two learners of one group write notes on
the same section, both see both after a reload, and the page's export lists them under the
section's title; the debrief's group postmortem form keeps what the group typed."""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from drillbook.sections import notebook_sections

from . import _pages
from ._server import VoilaServer
from ..conftest import REPO

PRIMER = "primer-lacp-bonding.ipynb"


def _open_section(page: Page, title: str) -> Any:
    box = page.locator(".db-section-notes").filter(has=page.locator(".db-section-toggle", has_text=title))
    box.locator(".db-section-toggle").click()
    return box.locator(".db-notes")


def _write(page: Page, panel: Any, body: str) -> None:
    panel.locator("textarea").fill(body)
    panel.locator("button", has_text="Save note").click()
    expect(panel.locator(".db-notes-status")).to_contain_text("Note saved.")


def test_two_learners_of_a_group_share_section_notes_and_export_them(browser: Any, voila: VoilaServer) -> None:
    group = f"study-{time.monotonic_ns() % 10**8}"
    section = notebook_sections(REPO / "course" / PRIMER)[1]
    bodies = {"ana": "active-backup needs no switch config <b>at all</b>", "bo": "but fail_over_mac may"}
    contexts = [browser.new_context(accept_downloads=True) for _ in bodies]
    pages = [c.new_page() for c in contexts]
    for page, (name, body) in zip(pages, bodies.items()):
        _pages.open_notebook(page, voila, PRIMER, selector=".db-section-notes", group=group, name=name)
        _write(page, _open_section(page, section.title), body)
    for page in pages:
        page.reload(wait_until="commit")
        _pages.wait_rendered(page, ".db-section-notes")
        panel = _open_section(page, section.title)
        for body in bodies.values():
            expect(panel.locator(".db-notes-list")).to_contain_text(body)
        assert panel.locator(".db-notes-list b").count() == 0, "notes are shown as text"
    panel = pages[0].locator(".db-section-notes .db-notes").first
    panel.locator("button", has_text="Export notes").click()
    link = panel.locator("a.db-download", has_text="Download Markdown")
    with pages[0].expect_download() as download:
        link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"## {section.title}\n" in text
    assert all(body in text for body in bodies.values())
    assert text.index(f"## {section.title}") < text.index(bodies["ana"])
    for context in contexts:
        context.close()


def test_the_group_postmortem_form_keeps_what_the_group_typed(page: Page, voila: VoilaServer) -> None:
    group = f"pm-{time.monotonic_ns() % 10**8}"
    _pages.open_notebook(page, voila, "debrief.ipynb", selector=".db-postmortem-box", group=group, name="ana")
    page.locator(".db-postmortem-box .db-section-toggle").click()
    form = page.locator(".db-postmortem-form")
    summary = form.locator("textarea").first
    summary.fill("eth1 ran old firmware and passed nothing")
    expect(form.locator(".db-form-status")).to_contain_text("Saved.")
    page.reload(wait_until="commit")
    _pages.wait_rendered(page, ".db-postmortem-box")
    page.locator(".db-postmortem-box .db-section-toggle").click()
    expect(page.locator(".db-postmortem-form textarea").first).to_have_value("eth1 ran old firmware and passed nothing")
    page.locator(".db-postmortem-form button", has_text="Download postmortem").click()
    link = page.locator(".db-postmortem-form a.db-download")
    href = link.get_attribute("href") or ""
    markdown = base64.b64decode(re.sub(r"^data:text/markdown;charset=utf-8;base64,", "", href)).decode()
    assert f"- Group: {group}" in markdown and "eth1 ran old firmware and passed nothing" in markdown
