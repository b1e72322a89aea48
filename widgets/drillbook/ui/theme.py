"""The one stylesheet for every drillbook widget, delivered once per page.

The CSS is split by view family under ``styles/`` only so that each file stays small; it is
joined into a single ``<style>`` element. Colours come from JupyterLab's CSS variables, so
JupyterLab and Voila, light and dark, all theme the widgets without extra code.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import ipywidgets as widgets


@lru_cache(maxsize=1)
def stylesheet() -> str:
    folder = resources.files("drillbook.ui") / "styles"
    parts = sorted((p for p in folder.iterdir() if p.name.endswith(".css")), key=lambda p: p.name)
    return "\n".join(p.read_text(encoding="utf-8") for p in parts)


def style_widget() -> widgets.HTML:
    """An invisible widget carrying the stylesheet; include it once in every top-level view."""
    return widgets.HTML(f"<style>{stylesheet()}</style>", layout=widgets.Layout(display="none"))
