"""A collapsible section whose content is built the first time it is opened.

The replay page's two collapsible sections (the investigation console and the study notes)
held about 50 of its widgets; every widget is a model the browser must create before the
page is interactive, and most learners open neither section in most rounds
(benchmarks/RESULTS.md). The header is a real toggle button, so Tab and Enter/Space open
and close it: ipywidgets' own Accordion header is a plain ``div`` a keyboard cannot reach.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import ipywidgets as widgets

from ._models import close_tree

W = TypeVar("W", bound=widgets.Widget)


class LazySection(widgets.VBox, Generic[W]):
    """A titled toggle over a body; ``build()`` makes the body's content on first opening."""

    def __init__(self, title: str, build: Callable[[], W], css_class: str, *,
                 guard: Callable[[Callable[..., Any]], Callable[..., Any]] = lambda fn: fn) -> None:
        self._build = build
        self._content: W | None = None
        self.toggle = widgets.ToggleButton(value=False, description=title, tooltip=f"Show or hide: {title}")
        self.toggle.add_class("db-section-toggle")
        self.body = widgets.VBox(layout=widgets.Layout(display="none"))
        self.body.add_class("db-section-body")
        super().__init__([self.toggle, self.body])
        self.add_class("db-section")
        self.add_class(css_class)
        self.toggle.observe(guard(self._on_toggle), names="value")

    @property
    def content(self) -> W | None:
        """The built content, or ``None`` while the section has never been opened."""
        return self._content

    @property
    def expanded(self) -> bool:
        return bool(self.toggle.value)

    def ensure(self) -> W:
        """Build the content now if it does not exist yet."""
        if self._content is None:
            self._content = self._build()
            self.body.children = (self._content,)
        return self._content

    def reset(self) -> None:
        """Collapse and discard the content; the next opening builds it afresh."""
        self.toggle.value = False
        if self._content is not None:
            old, self._content = self._content, None
            self.body.children = ()
            close_tree(old)

    def _on_toggle(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.ensure()
            self.body.layout.display = None
        else:
            self.body.layout.display = "none"
