"""Widget models shared by many views, and closing discarded views without leaks.

ipywidgets allows sharing Layout and Style models. Every widget otherwise brings its own:
three comm messages to open and three models for the page to build, where the content needs
one. Sharing them cut the replay page from 150 to 115 widget models (benchmarks/RESULTS.md).
Never mutate a shared one: widgets whose layout or style changes (``.layout.display = ...``)
keep their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import HTMLStyle

_shared: dict[str, widgets.Widget] = {}


def shared(name: str, make: Callable[[], widgets.Widget]) -> Any:
    """The kernel's shared model ``name`` (made by ``make``), made again if it was closed."""
    model = _shared.get(name)
    if model is None or model.comm is None:  # closed, e.g. by Widget.close_all()
        model = _shared[name] = make()
    return model


def plain_layout() -> widgets.Layout:
    """The shared default layout, for widgets whose layout never changes."""
    layout: widgets.Layout = shared("layout", widgets.Layout)
    return layout


def html(css_class: str, value: str = "") -> widgets.HTML:
    """An HTML widget carrying a drillbook CSS class (its value must already be escaped); its
    layout and style are the shared defaults, so never change them on the returned widget."""
    widget = widgets.HTML(value, layout=plain_layout(), style=shared("html-style", HTMLStyle))
    widget.add_class(css_class)
    return widget


def close_tree(widget: widgets.Widget) -> None:
    """Close a discarded view and everything in it, so long sessions do not leak widgets
    (the shared layout and style models stay open for the widgets still using them)."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in ("layout", "style"):
        sub = getattr(widget, part, None)
        if isinstance(sub, widgets.Widget) and not any(sub is m for m in _shared.values()):
            sub.close()
    widget.close()
