"""A collapsed section whose content is built the first time it is opened.

The replay page's two collapsed sections (the investigation console and the study notes)
held about 50 of its widgets; every widget is a model the browser must create before the
page is interactive, and most learners open neither section in most rounds
(benchmarks/RESULTS.md). Until it is opened the section holds one empty placeholder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import ipywidgets as widgets

from ._common import close_tree, html

W = TypeVar("W", bound=widgets.Widget)


class LazySection(widgets.Accordion, Generic[W]):
    """An accordion of one titled section; ``build()`` makes its content on first opening."""

    def __init__(self, title: str, build: Callable[[], W], css_class: str, *,
                 guard: Callable[[Callable[..., Any]], Callable[..., Any]] = lambda fn: fn) -> None:
        self._build = build
        self._content: W | None = None
        super().__init__(children=(self._placeholder(),), selected_index=None)
        self.set_title(0, title)
        self.add_class(css_class)
        self.observe(guard(self._on_toggle), names="selected_index")

    @staticmethod
    def _placeholder() -> widgets.Widget:
        return html("db-lazy-placeholder", '<p class="db-muted">Opening…</p>')

    @property
    def content(self) -> W | None:
        """The built content, or ``None`` while the section has never been opened."""
        return self._content

    def expand(self) -> W:
        """Open the section (as a click on its title does) and return its content."""
        self.selected_index = 0
        return self.ensure()

    def ensure(self) -> W:
        """Build the content now if it does not exist yet."""
        if self._content is None:
            placeholder = self.children[0] if self.children else None
            self._content = self._build()
            self.children = (self._content,)
            if placeholder is not None:
                close_tree(placeholder)
        return self._content

    def reset(self) -> None:
        """Collapse and discard the content; the next opening builds it afresh."""
        self.selected_index = None
        if self._content is not None:
            old = self._content
            self._content = None
            self.children = (self._placeholder(),)
            close_tree(old)

    def _on_toggle(self, change: dict[str, Any]) -> None:
        if change["new"] == 0:
            self.ensure()
