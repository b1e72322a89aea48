"""The course navigation bar and contents list, drawn from ``course/course.yaml``.

The header is plain HTML output, not a widget: JupyterLab turns relative links in HTML output
into "open this notebook" links, and Voila renders them as ordinary anchors. Every notebook is
a sibling in ``course/``, so a bare relative ``name.ipynb`` resolves in both places:
``/lab/tree/course/name.ipynb`` in JupyterLab and ``/voila/render/name.ipynb`` in Voila.

The one exception is a warm kernel (Voila's preheated pool): it builds the page before any
learner asks, so its header is an HTML *widget* that gets the learner's ``?name=&group=`` in
its links when the request arrives; the footer, every page's last cell, waits for it
(:func:`drillbook.query.serve_request`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from IPython.display import HTML

from ..course import Course, Entry, default_course
from ..errors import DrillbookError
from ..identity import record_visit
from ..query import awaiting_request, query_params, serve_request, when_requested
from ._html import esc
from .theme import stylesheet

if TYPE_CHECKING:
    import ipywidgets as widgets


def notebook_href(name: str, params: Mapping[str, str] | None = None) -> str:
    """The link to notebook ``name`` (a path inside ``course/``) from any course notebook,
    keeping the learner named in ``params`` (default: this page's query).

    This is the one place links are computed; views (the damage report's primer links too)
    call it instead of building URLs, so a change of hosting only changes this function.
    """
    if name.startswith(("/", ".")) or ".." in name.split("/") or "://" in name or not name.endswith(".ipynb"):
        raise DrillbookError(f"'{name}' is not a notebook inside the course folder")
    return quote(name, safe="/") + _identity_query(query_params() if params is None else params)


def _identity_query(params: Mapping[str, str]) -> str:
    """``?name=..&group=..`` of this page, so a learner named in the address stays named (and
    their progress kept) on every page the links lead to."""
    kept = {key: params[key] for key in ("name", "group") if params.get(key, "").strip()}
    return "?" + urlencode(kept) if kept else ""


def notebook_link(name: str, label_html: str, params: Mapping[str, str] | None = None, **attrs: str) -> str:
    """An ``<a>`` to course notebook ``name`` that opens in the same tab.

    JupyterLab's HTML renderer (Voila uses it for outputs) gives every link without a target
    ``target="_blank"`` unless it looks local, and it judges the resolved absolute URL, so every
    course link opened a new tab (and a new kernel). An explicit ``_self`` keeps learners in one
    tab. ``label_html`` must already be escaped; ``attrs`` (``class_`` for ``class``) are escaped here.
    """
    extra = "".join(f' {key.rstrip("_")}="{esc(value)}"' for key, value in attrs.items())
    return f'<a{extra} href="{esc(notebook_href(name, params))}" target="_self">{label_html}</a>'


def _link(entry: Entry | None, rel: str, arrow: str, params: Mapping[str, str] | None) -> str:
    if entry is None:
        return f'<span class="db-nav-{rel} db-nav-none" aria-hidden="true"></span>'
    label = f"{arrow} {esc(entry.title)}" if rel == "prev" else f"{esc(entry.title)} {arrow}"
    word = "Previous" if rel == "prev" else "Next"
    return notebook_link(entry.file, label, params, class_=f"db-nav-{rel}", title=f"{word}: {entry.title}", rel=rel)


def header_html(name: str, course: Course | None = None, params: Mapping[str, str] | None = None) -> str:
    """The navigation bar for notebook ``name`` as an HTML string (stylesheet included); its
    links keep the learner named in ``params`` (default: this page's query)."""
    course = course or default_course()
    here = course.entry(name)
    total = len(course.entries)
    percent = round(100 * here.number / total)
    home = course.entries[0]
    if here.audience == "instructor":  # the answer key: outside the learners' reading order
        return (
            f"<style>{stylesheet()}</style>"
            f'<nav class="db-root db-nav" aria-label="Course navigation">'
            f'<div class="db-nav-top">'
            f'{notebook_link(home.file, esc(course.title), params, class_="db-nav-home")}'
            f'<span class="db-nav-where">{esc(here.part)} · for instructors</span>'
            f"</div></nav>"
        )
    return (
        f"<style>{stylesheet()}</style>"
        f'<nav class="db-root db-nav" aria-label="Course navigation">'
        f'<div class="db-nav-top">'
        f'{notebook_link(home.file, esc(course.title), params, class_="db-nav-home")}'
        f'<span class="db-nav-where">{esc(here.part)} · {here.number} of {total}</span>'
        f"</div>"
        f'<div class="db-nav-bar" role="progressbar" aria-label="Course progress" aria-valuemin="1" '
        f'aria-valuemax="{total}" aria-valuenow="{here.number}"><span style="width:{percent}%"></span></div>'
        f'<div class="db-nav-links">{_link(course.previous(name), "prev", "←", params)}'
        f'{_link(course.next(name), "next", "→", params)}</div>'
        f"</nav>"
    )


def for_the_learner(render: Callable[[Mapping[str, str]], str], css_class: str,
                    arrived: Callable[[dict[str, str]], None] | None = None) -> "HTML | widgets.HTML":
    """HTML that depends on who asked for the page (``render(params)``), and ``arrived(params)``.

    Where the request is known, plain HTML output (JupyterLab needs it for its links). In a warm
    kernel an HTML widget, built now for nobody in particular and redrawn for the learner when
    the request arrives, before the browser asks the kernel for its widgets.
    """
    if not awaiting_request():
        params = query_params()
        if arrived is not None:
            arrived(params)
        return HTML(render(params))
    import ipywidgets as widgets

    view = widgets.HTML(render({}))
    view.add_class(css_class)

    def redraw(params: dict[str, str]) -> None:
        view.value = render(params)
        if arrived is not None:
            arrived(params)

    when_requested(redraw)
    return view


def header(name: str) -> "HTML | widgets.HTML":
    """Display the navigation bar at the top of notebook ``name`` (its file name in ``course/``),
    and note the visit in the learner's progress (in a warm kernel: once the learner arrives)."""
    return for_the_learner(lambda params: header_html(name, params=params), "db-nav-widget",
                           lambda params: record_visit(name, params))


def footer(name: str) -> HTML:
    """A "continue" link to the next notebook, for the end of a page.

    Every page ends with it, so it is where a warm kernel waits for its learner: everything
    above was built before anyone asked (:func:`drillbook.query.serve_request`).
    """
    serve_request()
    course = default_course()
    nxt = course.next(name)
    if course.entry(name).audience == "instructor":
        body = notebook_link(course.entries[0].file, "Back to the start")
    elif nxt is None:
        body = f"You reached the end of the course. {notebook_link(course.entries[0].file, 'Back to the start')}."
    else:
        body = f"Next: {notebook_link(nxt.file, f'{esc(nxt.title)} →', rel='next')}"
    return HTML(f'<nav class="db-root db-nav-footer" aria-label="Continue">{body}</nav>')


def contents_html(course: Course | None = None, params: Mapping[str, str] | None = None) -> str:
    """The course's table of contents as an ordered list of links (for the welcome page)."""
    course = course or default_course()
    rows = "".join(
        f'<li>{notebook_link(e.file, esc(e.title), params)} <span class="db-toc-part">{esc(e.part)}</span></li>'
        for e in course.entries
    )
    return f'<ol class="db-root db-toc">{rows}</ol>'


def contents() -> "HTML | widgets.HTML":
    """Display the table of contents (the page's header already carries the stylesheet)."""
    return for_the_learner(lambda params: contents_html(params=params), "db-toc-widget")
