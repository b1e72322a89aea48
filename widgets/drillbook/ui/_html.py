"""Escaping for every piece of scenario or learner text that reaches an HTML widget.

Scenario text is data written by instructors and may contain ``<script>``; nothing from it
is ever inserted into HTML without passing through :func:`esc` or :func:`rich` first.
"""

from __future__ import annotations

import base64
import html
import re

_CODE = re.compile(r"`([^`\n]+)`")


def esc(text: object) -> str:
    """HTML-escape any value (quotes too, so it is safe inside attributes)."""
    return html.escape(str(text), quote=True)


def rich(text: object) -> str:
    """Escape, then show `backticked` spans as inline code; the only markup scenarios get."""
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", esc(text))


def pre(text: object, css_class: str = "db-terminal", *, focusable: bool = True) -> str:
    """A preformatted, escaped block (terminal output keeps its exact whitespace).

    Long lines scroll sideways rather than wrap, so the block takes a tab stop: keyboard users
    can scroll it too. Pass ``focusable=False`` when a focusable container already scrolls it.
    """
    tab = ' tabindex="0"' if focusable else ""
    return f'<pre class="{esc(css_class)}"{tab}>{esc(text)}</pre>'


def download_link(filename: str, text: str, mime: str, label: str, css_class: str = "db-download") -> str:
    """An <a download> with the content inline (a data: URL), so export needs no server-side
    file: the browser saves it as a real file download, in JupyterLab and in Voila alike."""
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (
        f'<a class="{esc(css_class)}" download="{esc(filename)}" '
        f'href="data:{esc(mime)};charset=utf-8;base64,{data}">{esc(label)}</a>'
    )
