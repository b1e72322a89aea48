"""``drillbook graph``: DOT an author can read, SVG from Graphviz, problems drawn instead of hidden."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from drillbook.authoring.graph import COLOURS, from_scenario, sanitize_svg, to_dot, to_svg
from drillbook.model import Scenario
from drillbook.scenario import load_scenario

from .conftest import FILES, REPO

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (./run test installs it)")
SVG = "{http://www.w3.org/2000/svg}"


def drillbook(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "drillbook", *args], capture_output=True, text=True, cwd=REPO, env=env)


def test_dot_has_every_round_and_choice_coloured_by_verdict(seed: Scenario) -> None:
    dot = to_dot(from_scenario(seed))
    assert dot.startswith('digraph "bond-failover" {')
    assert '"round:alert" -> "round:triage" [label="B: Recommended", fontcolor="#1b7f3b", color="#1b7f3b"' in dot
    assert '"round:root-cause" -> "round:remediation" [label="A: Recommended"' in dot
    assert '"round:remediation" -> "end" [label="all actions done"' in dot
    # the nine wrong choices stay in their round: each a dashed retry node in its verdict's colour
    retries = [line for line in dot.splitlines() if '[style=dashed, arrowhead=none' in line]
    assert len(retries) == 9
    assert '"round:triage" -> "choice:triage:C" [style=dashed, arrowhead=none, color="#c0262d"' in dot  # harmful
    assert all(f'color="{COLOURS[c.verdict]}"' in dot for r in seed.rounds for c in r.choices)
    assert "LOOP" not in dot and "DEAD END" not in dot and "UNREACHABLE" not in dot and "MISSING" not in dot


BROKEN = """\
id: broken
title: "Broken"
rounds:
  - id: first
    title: "First"
    choices:
      - {key: A, label: "go on", verdict: recommended, next: second}
      - {key: B, label: "into the void", verdict: harmful, next: ghost}
      - {key: C, label: "again", verdict: wasted, next: stay}
      - {key: D, label: "again", verdict: wasted, next: stay}
  - id: second
    title: "Second"
    choices:
      - {key: A, label: "back to the start", verdict: recommended, next: first}
      - {key: B, label: "x", verdict: wasted, next: stay}
      - {key: C, label: "x", verdict: wasted, next: stay}
      - {key: D, label: "x", verdict: wasted, next: stay}
  - id: orphan
    kind: remediation
    title: "Nobody comes here"
"""


def test_a_broken_scenario_is_drawn_with_its_problems_marked(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    result = drillbook("graph", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{path}:")  # the validator's own one-line complaint
    assert result.stderr.endswith("(drawn anyway; the problem is marked in red)\n")
    dot = result.stdout
    assert '"missing:ghost" [label="MISSING ROUND\\nghost"' in dot
    assert '"round:first" -> "missing:ghost"' in dot
    assert '"round:second" -> "round:first" [label="A: LOOP' not in dot  # label is replaced, not duplicated
    assert 'label="A: LOOP back to an earlier round"' in dot
    assert "Round 3: Nobody comes here\\nUNREACHABLE: no choice leads here" in dot
    assert "Round 1: First\\nDEAD END: never reaches the end" in dot
    assert "Round 2: Second\\nDEAD END: never reaches the end" in dot


@needs_dot
def test_dot_escapes_quotes_and_backslashes_so_graphviz_parses_it(tmp_path: Path) -> None:
    text = (FILES / "xss-scenario.yaml").read_text(encoding="utf-8")
    text = text.replace('title: Network Bonding', 'title: Say \\"hi\\" \\\\N \\\\" Network Bonding', 1)
    path = tmp_path / "nasty.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.title.startswith('Say \\"hi\\" \\\\N \\\\" Network')  # quotes and backslashes, raw
    dot = to_dot(from_scenario(scenario))
    assert subprocess.run(["dot", "-Tcanon"], input=dot, capture_output=True, text=True).returncode == 0
    texts = [t.text for t in ET.fromstring(to_svg(dot)).iter(f"{SVG}text")]
    assert scenario.title in texts  # Graphviz shows the title as written: no escape was interpreted


@needs_dot
def test_svg_output_is_clean_svg_with_every_round(seed: Scenario, tmp_path: Path) -> None:
    out = tmp_path / "bond.svg"
    result = drillbook("graph", "bond-failover", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"wrote {out}\n"
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    assert root.tag == f"{SVG}svg"
    titles = {t.text for t in root.iter(f"{SVG}title")}
    assert {f"round:{r.id}" for r in seed.rounds} <= titles
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Round 1: Alert Fires" in texts and "B: Recommended" in texts


@needs_dot
def test_dot_file_gets_an_svg_beside_it(tmp_path: Path) -> None:
    out = tmp_path / "bond.dot"
    result = drillbook("graph", "bond-failover", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith('digraph "bond-failover"')
    assert out.with_suffix(".svg").read_text(encoding="utf-8").startswith("<svg")


@needs_dot
def test_scenario_markup_never_becomes_svg_markup() -> None:
    svg = to_svg(to_dot(from_scenario(load_scenario(FILES / "xss-scenario.yaml"))))
    root = ET.fromstring(svg)
    assert not [e for e in root.iter() if e.tag.split("}")[-1] in ("script", "img", "foreignObject")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg  # shown as text, escaped


def test_sanitizer_drops_active_content() -> None:
    dirty = ('<?xml version="1.0"?><!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg" '
             'xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)"><script>alert(2)</script>'
             '<g onclick="x()"><a xlink:href="javascript:alert(3)" href="https://evil"><text>ok</text></a></g>'
             '<foreignObject><div>html</div></foreignObject><a href="#node1"><text>in-page</text></a></svg>')
    clean = sanitize_svg(dirty)
    assert "alert" not in clean and "onclick" not in clean and "evil" not in clean and "foreignObject" not in clean
    assert "<text>ok</text>" in clean and 'href="#node1"' in clean


def test_without_graphviz_svg_is_a_one_line_error_and_dot_still_works(tmp_path: Path) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    env = {**os.environ, "PATH": str(bare)}  # no dot on PATH
    svg = drillbook("graph", "bond-failover", "-o", str(tmp_path / "x.svg"), env=env)
    assert svg.returncode == 1
    assert svg.stderr == ("drillbook: Graphviz's dot is not installed; write DOT (-o FILE.dot) or install graphviz "
                          "(./run test does)\n")
    dot = drillbook("graph", "bond-failover", "-o", str(tmp_path / "x.dot"), env=env)
    assert dot.returncode == 0 and sorted(p.name for p in tmp_path.glob("x.*")) == ["x.dot"]


def test_unknown_scenario_and_bad_suffix(tmp_path: Path) -> None:
    missing = drillbook("graph", "no-such-incident")
    assert missing.returncode == 1 and missing.stderr.startswith("drillbook: no scenario 'no-such-incident' (known: ")
    bad = drillbook("graph", "bond-failover", "-o", str(tmp_path / "x.png"))
    assert bad.returncode == 1 and bad.stderr == f"drillbook: {tmp_path / 'x.png'}: write .dot, .gv or .svg\n"


# -- the branch atlas's view ---------------------------------------------------------------------

@needs_dot
def test_atlas_graph_is_inline_svg_with_a_text_alternative(seed: Scenario) -> None:
    from drillbook.ui.graph import render_graph

    html = render_graph(seed)
    assert html.startswith('<figure class="db-graph"')
    assert '<div role="img" aria-label="Network Bonding Failover Not Working: graph of rounds and choices"><svg' in html
    assert "<pre" not in html


def test_atlas_graph_falls_back_to_escaped_dot_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from drillbook.ui.graph import render_graph

    monkeypatch.setattr("drillbook.ui.graph.dot_available", lambda: False)
    html = render_graph(load_scenario(FILES / "xss-scenario.yaml"))
    assert "Graphviz is not installed here, so the graph is shown as DOT text" in html
    assert '<pre class="db-terminal" tabindex="0">digraph &quot;xss-bond-failover&quot;' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@needs_dot
def test_the_answer_key_opens_with_the_graph_and_never_shows_scenario_markup(seed: Scenario) -> None:
    from drillbook.ui.atlas import render_answer_key
    from drillbook.ui.graph import render_graph

    key = render_answer_key(seed)
    assert key.index('<figure class="db-graph"') < key.index("Round 1 of 4")
    nasty = render_graph(load_scenario(FILES / "xss-scenario.yaml"))
    assert "<script" not in nasty and "<img" not in nasty  # the markup is text, never an element
    assert "&lt;img src=x onerror=alert(1)&gt;" in nasty


# -- property: any YAML-shaped data draws, and Graphviz accepts the DOT ---------------------------

from hypothesis import example, given, settings, strategies as st  # noqa: E402

from drillbook.authoring.graph import from_data  # noqa: E402

_text = st.text(max_size=20) | st.sampled_from(["stay", "end", "a", "b", "recommended", "harmful", '"\\', "remediation"])
_data = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["id", "title", "rounds", "choices", "key", "next", "verdict", "label", "kind"]), inner, max_size=6),
    max_leaves=30,
)


@needs_dot
@settings(max_examples=60, deadline=None, database=None)
@given(data=_data)
@example(data={"title": "a\x00b", "rounds": [{"id": "x\x00", "choices": [{"label": "\x00", "next": "\x00"}]}]})  # dot stops at NUL
def test_any_yaml_data_draws_and_graphviz_parses_it(data: object) -> None:
    dot = to_dot(from_data(data, "fuzz"))
    done = subprocess.run(["dot", "-Tcanon"], input=dot, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, (dot, done.stderr)
