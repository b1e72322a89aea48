"""Each incident's round/choice graph as static HTML, for the branch atlas.

The SVG comes from Graphviz (:mod:`drillbook.authoring.graph`) and is sanitised there; where
``dot`` is missing the page shows the DOT text instead, escaped, so the atlas never fails for
lack of a drawing tool. Colours always come with words (each edge is labelled with its verdict).
"""

from __future__ import annotations

from ..authoring.graph import COLOURS, dot_available, from_scenario, to_dot, to_svg
from ..content import scenario_dir
from ..errors import DrillbookError
from ..model import VERDICTS, Scenario
from ..scenario import load_scenario
from ._html import esc, pre


def _legend() -> str:
    chips = "".join(f'<li><span aria-hidden="true" style="display:inline-block;width:0.8em;height:0.8em;'
                    f'background:{colour};border-radius:2px"></span> {esc(VERDICTS[verdict])}</li>'
                    for verdict, colour in COLOURS.items())
    return (f'<ul class="db-graph-legend" style="list-style:none;display:flex;flex-wrap:wrap;gap:4px 16px;padding:0">'
            f"{chips}<li>dashed box: a retry that stays in the round</li></ul>")


def render_graph(scenario: Scenario) -> str:
    """One incident's graph: SVG where Graphviz is installed, else its DOT text."""
    dot = to_dot(from_scenario(scenario))
    body = ""
    if dot_available():
        try:
            body = f'<div role="img" aria-label="{esc(scenario.title)}: graph of rounds and choices">{to_svg(dot)}</div>'
        except DrillbookError as exc:
            body = f"<p>{esc(exc)}</p>"
    if not body or body.startswith("<p>"):
        note = body or "<p>Graphviz is not installed here, so the graph is shown as DOT text (paste it into any Graphviz viewer).</p>"
        body = note + pre(dot)
    return (f'<figure class="db-graph" style="margin:12px 0">'
            f"<figcaption><strong>{esc(scenario.title)}</strong> ({esc(scenario.id)}): "
            f"{len(scenario.rounds)} rounds</figcaption>{body}</figure>")


def render_all_graphs() -> str:
    """Every scenario in ``scenarios/``, in file-name order, with one legend on top."""
    graphs = [render_graph(load_scenario(path)) for path in sorted(scenario_dir().glob("*.yaml"))]
    return _legend() + "".join(graphs)
