"""A scenario's rounds and choices as a graph an author can read at a glance.

Rounds are nodes, choices are edges coloured by verdict; a choice that stays in its round is a
dashed retry loop on it. The graph is drawn from the YAML *data*, not only from a validated
scenario, because its job is to show an author what the validator refuses: a round nothing leads
to, a round that can never reach the end, a choice that leads back (a loop), a ``next`` naming a
round that does not exist. Output is Graphviz DOT text; SVG comes from Graphviz's ``dot`` where it
is installed, cleaned of anything active before it goes into a page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DrillbookError
from ..model import END, STAY, VERDICTS, Scenario

#: Edge colour per verdict: each at least 4.5:1 on white (the labels are text), and always labelled in words.
COLOURS = {"recommended": "#1b7f3b", "partial": "#1f5fbf", "band-aid": "#a35a00", "overkill": "#7b3fa0",
           "harmful": "#c0262d", "wasted": "#6b6b6b"}
PROBLEM = "#c0262d"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str  #: a round id, ``stay`` or ``end``
    key: str
    label: str
    verdict: str


@dataclass
class Graph:
    name: str
    title: str
    rounds: list[tuple[str, str, str]] = field(default_factory=list)  #: (id, title, kind) in story order
    edges: list[Edge] = field(default_factory=list)

    def targets(self, round_id: str) -> set[str]:
        out = {self.resolve(e) for e in self.edges if e.source == round_id}
        if any(r[0] == round_id and r[2] == "remediation" for r in self.rounds):
            out.add(END)
        return out

    @staticmethod
    def resolve(edge: Edge) -> str:
        return edge.source if edge.target == STAY else edge.target

    def unreachable(self) -> set[str]:
        if not self.rounds:
            return set()
        seen, todo = {self.rounds[0][0]}, [self.rounds[0][0]]
        while todo:
            for target in self.targets(todo.pop()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return {r[0] for r in self.rounds} - seen

    def dead_ends(self) -> set[str]:
        """Rounds from which no path reaches the end."""
        can_end = {END}
        changed = True
        while changed:
            changed = False
            for round_id, _, _ in self.rounds:
                if round_id not in can_end and self.targets(round_id) & can_end:
                    can_end.add(round_id)
                    changed = True
        return {r[0] for r in self.rounds} - can_end

    def loops(self) -> list[Edge]:
        """Choices that lead back to the same or an earlier round (``stay`` retries excluded)."""
        order = {r[0]: i for i, r in enumerate(self.rounds)}
        return [e for e in self.edges if e.target not in (STAY, END) and e.target in order
                and order[e.target] <= order[e.source]]

    def missing(self) -> set[str]:
        known = {r[0] for r in self.rounds} | {STAY, END}
        return {e.target for e in self.edges if e.target not in known}


def from_scenario(scenario: Scenario) -> Graph:
    graph = Graph(scenario.id, scenario.title)
    for rnd in scenario.rounds:
        graph.rounds.append((rnd.id, f"Round {rnd.number}: {rnd.title}", rnd.kind))
        graph.edges.extend(Edge(rnd.id, c.next, c.key, c.label, c.verdict) for c in rnd.choices)
    return graph


def from_data(data: Any, name: str) -> Graph:
    """The graph of raw scenario YAML that may not validate; anything missing shows as ``?``."""
    top = data if isinstance(data, dict) else {}
    graph = Graph(str(top.get("id") or name), str(top.get("title") or name))
    for number, rnd in enumerate(_list(top.get("rounds")), 1):
        rnd = rnd if isinstance(rnd, dict) else {}
        round_id = str(rnd.get("id") or f"round-{number}")
        graph.rounds.append((round_id, f"Round {number}: {rnd.get('title') or '?'}", str(rnd.get("kind") or "decision")))
        for choice in _list(rnd.get("choices")):
            choice = choice if isinstance(choice, dict) else {}
            graph.edges.append(Edge(round_id, str(choice.get("next") or "?"), str(choice.get("key") or "?"),
                                    str(choice.get("label") or ""), str(choice.get("verdict") or "?")))
    return graph


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes, quotes and line breaks escaped and control
    characters dropped (Graphviz reads a NUL as the end of its input), so scenario text can
    never end the string or use Graphviz's ``\\N``-style escapes."""
    printable = "".join(ch for ch in " ".join(str(text).split()) if ch.isprintable())
    return '"' + re.sub(r"[\\\"]", lambda m: "\\" + m[0], printable) + '"'


def _wrap(text: str, width: int = 28) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:4])


def _label(text: str) -> str:
    """Like :func:`quote` but keeps the wrapping line breaks as DOT's centred ``\\n``."""
    return "\\n".join(quote(part)[1:-1] for part in text.split("\n")).join('""')


def to_dot(graph: Graph) -> str:
    unreachable, dead, loops, missing = graph.unreachable(), graph.dead_ends(), graph.loops(), graph.missing()
    out = [f"digraph {quote(graph.name)} {{",
           f"  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, fontsize=16, label={quote(graph.title)}];",
           "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f6f8\", color=\"#445566\", fontname=\"Helvetica\"];",
           "  edge [fontname=\"Helvetica\", fontsize=10];"]
    for round_id, title, kind in graph.rounds:
        notes, attrs = [], []
        if kind == "remediation":
            attrs.append('fillcolor="#e6f4ea"')
        if round_id in dead:
            notes.append("DEAD END: never reaches the end")
            attrs += [f'color="{PROBLEM}"', 'fillcolor="#fde8e8"', "penwidth=2"]
        if round_id in unreachable:
            notes.append("UNREACHABLE: no choice leads here")
            attrs += ['style="rounded,filled,dashed"', f'color="{PROBLEM}"']
        text = _wrap(title) + "".join("\n" + n for n in notes)
        out.append(f"  {quote('round:' + round_id)} [label={_label(text)}{''.join(', ' + a for a in attrs)}];")
    out.append(f'  "end" [shape=doublecircle, label="end", fillcolor="#1b7f3b", fontcolor="white", color="#1b7f3b"];')
    for target in sorted(missing):
        out.append(f"  {quote('missing:' + target)} [label={_label('MISSING ROUND' + chr(10) + target)}, shape=octagon, "
                   f'color="{PROBLEM}", fillcolor="#fde8e8"];')
    for round_id, _, kind in graph.rounds:
        if kind == "remediation":
            out.append(f"  {quote('round:' + round_id)} -> \"end\" [label=\"all actions done\", color=\"#1b7f3b\"];")
    for edge in graph.edges:
        colour = COLOURS.get(edge.verdict, PROBLEM)
        verdict = VERDICTS.get(edge.verdict, edge.verdict)
        source = quote("round:" + edge.source)
        common = [f'color="{colour}"', f"tooltip={quote(edge.key + ') ' + edge.label)}"]
        if edge.target == STAY:  # a retry: the choice as a small node hanging off its round
            leaf = quote(f"choice:{edge.source}:{edge.key}")
            text = _wrap(f"{edge.key}: {verdict}") + "\n" + _wrap(edge.label, 30) + "\n(retry the round)"
            out.append(f"  {leaf} [label={_label(text)}, shape=box, style=\"rounded,dashed\", fontsize=10, "
                       f'fontcolor="{colour}", {", ".join(common)}];')
            out.append(f"  {source} -> {leaf} [style=dashed, arrowhead=none, {', '.join(common)}];")
            continue
        target = Graph.resolve(edge)
        node = "end" if target == END else ("missing:" if target in missing else "round:") + target
        attrs = [f"label={_label(edge.key + ': ' + verdict)}", f'fontcolor="{colour}"', *common]
        if edge in loops:
            attrs += [f'color="{PROBLEM}"', "penwidth=3", f"label={_label(edge.key + ': LOOP back to an earlier round')}"]
        elif edge.verdict == "recommended":
            attrs.append("penwidth=2.5")
        out.append(f"  {source} -> {quote(node)} [{', '.join(attrs)}];")
    legend = "  ".join(f"{v}: {VERDICTS[v]}" for v in COLOURS)
    out.append(f"  // colours: {legend}")
    out.append("}")
    return "\n".join(out) + "\n"


def dot_available() -> bool:
    return shutil.which("dot") is not None


def to_svg(dot_text: str) -> str:
    """Render with Graphviz's ``dot`` and return the cleaned SVG element (no XML prolog)."""
    exe = shutil.which("dot")
    if exe is None:
        raise DrillbookError("Graphviz's dot is not installed; write DOT (-o FILE.dot) or install graphviz (./run test does)")
    try:
        done = subprocess.run([exe, "-Tsvg"], input=dot_text, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DrillbookError(f"Graphviz's dot could not run: {exc}") from None
    if done.returncode != 0:
        raise DrillbookError(f"Graphviz's dot failed: {done.stderr.strip().splitlines()[0] if done.stderr.strip() else done.returncode}")
    return sanitize_svg(done.stdout)


_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_ALLOWED = {"svg", "g", "title", "path", "polygon", "polyline", "ellipse", "circle", "text", "a", "defs", "line", "rect"}


def sanitize_svg(svg: str) -> str:
    """Keep only drawing elements and plain attributes: no scripts, event handlers, foreign
    content or outside links, whatever text the scenario put into labels and tooltips."""
    body = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", "", svg, flags=re.S).strip()
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", _XLINK_NS)
    root = ET.fromstring(body)

    def clean(element: ET.Element) -> None:
        for child in list(element):
            if child.tag.split("}")[-1] not in _ALLOWED:
                element.remove(child)
            else:
                clean(child)
        for name in list(element.attrib):
            local = name.split("}")[-1].lower()
            value = element.attrib[name].strip().lower()
            if local.startswith("on") or (local == "href" and not value.startswith("#")) or "javascript:" in value:
                del element.attrib[name]

    clean(root)
    root.set("style", "max-width:100%;height:auto")
    return ET.tostring(root, encoding="unicode")


def load_graph(name: str) -> tuple[Graph, str]:
    """The graph of a scenario id or file, and the validator's complaint ("" if it validates).
    A scenario that does not validate is still drawn from its raw YAML, problems marked."""
    from .. import _yaml
    from ..errors import ScenarioError
    from ..content import find_scenario
    from ..scenario import load_scenario

    path = find_scenario(name)
    try:
        return from_scenario(load_scenario(path)), ""
    except ScenarioError as exc:
        return from_data(_yaml.load_file(path), path.stem), exc.format_message()


def write_graph(graph: Graph, output: Path | None) -> tuple[str, list[Path]]:
    """DOT text for stdout (when ``output`` is None) and the files written: ``X.svg`` needs
    Graphviz; ``X.dot``/``X.gv`` writes DOT and, where Graphviz is installed, ``X.svg`` beside it."""
    dot_text = to_dot(graph)
    if output is None:
        return dot_text, []
    suffix = output.suffix.lower()
    if suffix not in (".dot", ".gv", ".svg"):
        raise DrillbookError(f"{output}: write .dot, .gv or .svg")
    files: dict[Path, str] = {}
    if suffix == ".svg":
        files[output] = to_svg(dot_text)
    else:
        files[output] = dot_text
        if dot_available():
            files[output.with_suffix(".svg")] = to_svg(dot_text)
    for path, text in files.items():
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise DrillbookError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
    return "", list(files)
