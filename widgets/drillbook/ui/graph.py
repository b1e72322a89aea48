"""An incident's round/choice graph as static HTML, shown at the top of its answer key in the
branch atlas.

The SVG comes from Graphviz (:mod:`drillbook.authoring.graph`) and is sanitised there; where
``dot`` is missing the page shows the DOT text instead, escaped, so the atlas never fails for
lack of a drawing tool. Colours always come with words (each edge is labelled with its verdict).
"""

from __future__ import annotations

from ..authoring.graph import COLOURS, dot_available, from_scenario, to_dot, to_svg
from ..errors import DrillbookError
from ..model import VERDICTS, Scenario
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
    problem = "Graphviz is not installed here, so the graph is shown as DOT text (paste it into any Graphviz viewer)."
    if dot_available():
        try:
            label = f"{scenario.title}: graph of rounds and choices"
            return _figure(scenario, f'<div role="img" aria-label="{esc(label)}">{to_svg(dot)}</div>')
        except DrillbookError as exc:
            problem = f"{exc}; the graph as DOT text:"
    return _figure(scenario, f"<p>{esc(problem)}</p>{pre(dot)}")


def _figure(scenario: Scenario, body: str) -> str:
    return (f'<figure class="db-graph" style="margin:12px 0">'
            f"<figcaption><strong>Rounds and choices</strong> ({esc(scenario.id)}, {len(scenario.rounds)} rounds; "
            f"also <code>drillbook graph {esc(scenario.id)} -o FILE.svg</code>)</figcaption>{_legend()}{body}</figure>")
