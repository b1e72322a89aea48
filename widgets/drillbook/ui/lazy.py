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

from ipywidgets.widgets.widget_bool import ToggleButtonStyle

from ._models import close_tree, plain_layout, shared

W = TypeVar("W", bound=widgets.Widget)


class LazySection(widgets.VBox, Generic[W]):
    """A titled toggle over a body; ``build()`` makes the body's content on first opening."""

    def __init__(self, title: str, build: Callable[[], W], css_class: str, *,
                 guard: Callable[[Callable[..., Any]], Callable[..., Any]] = lambda fn: fn) -> None:
        self._build = build
        self._content: W | None = None
        # Until the first opening a section is three models (this box, its layout, its toggle on
        # shared layout and style models): a page can carry many sections nobody opens. The box
        # keeps a layout of its own, since pages hide whole sections (``.layout.display``).
        self.toggle = widgets.ToggleButton(value=False, description=title, tooltip=f"Show or hide: {title}",
                                           layout=plain_layout(), style=shared("toggle-style", ToggleButtonStyle))
        self.toggle.add_class("db-section-toggle")
        self._body: widgets.VBox | None = None
        super().__init__([self.toggle])
        self.add_class("db-section")
        self.add_class(css_class)
        self.toggle.observe(guard(self._on_toggle), names="value")

    @property
    def body(self) -> widgets.VBox:
        """The box under the toggle, made on first use and hidden while the section is closed."""
        if self._body is None:
            self._body = widgets.VBox(layout=widgets.Layout(display="none"))
            self._body.add_class("db-section-body")
            self.children = (self.toggle, self._body)
        return self._body

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
