"""The branch atlas served by Voila shows each incident's graph as an inline SVG drawing."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import Page, expect

from drillbook.content import scenario_dir

from . import _pages
from ._server import VoilaServer


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (./run test installs it)")
def test_atlas_shows_one_graph_per_incident(page: Page, voila: VoilaServer) -> None:
    _pages.open_notebook(page, voila, "branch-atlas.ipynb", selector="figure.db-graph svg")
    ids = sorted(path.stem for path in scenario_dir().glob("*.yaml"))
    figures = page.locator("figure.db-graph")
    # the first graph shows while the page still builds the others (slow when the machine is busy)
    expect(figures).to_have_count(len(ids), timeout=_pages.RENDER_TIMEOUT)
    first = figures.first
    assert first.locator("[role=img]").get_attribute("aria-label") == \
        "Network Bonding Failover Not Working: graph of rounds and choices"
    box = first.locator("svg").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100  # drawn, not an empty box
    assert "Round 1: Alert Fires" in (first.locator("svg").text_content() or "")
    assert first.locator("pre").count() == 0  # the SVG, not the DOT fallback
