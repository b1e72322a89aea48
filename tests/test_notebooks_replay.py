"""The replay notebook and the branch atlas: saved executed (nbval compares their outputs) and
free of scenario content (it lives in the YAML; the notebooks only call the package)."""

from __future__ import annotations

import json

import pytest

from drillbook.replay_codes import summarize
from drillbook.scenario import Scenario

from .conftest import REPO

NOTEBOOKS = ("incident-replay.ipynb", "branch-atlas.ipynb")


def cells(name: str) -> list[dict]:
    return json.loads((REPO / "course" / name).read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_saved_with_outputs_of_a_clean_run(name: str) -> None:
    code = [c for c in cells(name) if c["cell_type"] == "code"]
    assert code and all(c["outputs"] for c in code), "run nbconvert --execute --inplace before saving"
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    for c in code:
        for out in c["outputs"]:
            assert out["output_type"] != "error"
            assert "object at 0x" not in json.dumps(out.get("data", {}).get("text/plain", ""))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_scenario_content_in_the_source(name: str, seed: Scenario) -> None:
    source = "\n".join("".join(c["source"]) for c in cells(name))
    texts = [seed.title, seed.setup.system_context, *(r.pressure_cue for r in seed.rounds)]
    texts += [c.label for r in seed.rounds for c in r.choices] + [a.text for r in seed.rounds for a in r.actions]
    assert not [t for t in texts if t in source]
    summary = summarize(seed)
    assert summary.optimal_code not in source and summary.worst_code not in source


def test_replay_notebook_shows_the_app_at_its_start() -> None:
    app_cell = next(c for c in cells("incident-replay.ipynb") if "app(" in "".join(c["source"]))
    (out,) = app_cell["outputs"]
    assert "application/vnd.jupyter.widget-view+json" in out["data"]
    assert "".join(out["data"]["text/plain"]) == "ReplayApp('bond-failover': round 1 of 4, path '', 0 min, downtime 2 of 10 min, SLA met)"


def test_atlas_shows_every_branch_and_the_answer_key(seed: Scenario) -> None:
    html = "\n".join(
        "".join(out.get("data", {}).get("text/html", "")) for c in cells("branch-atlas.ipynb") for out in c.get("outputs", [])
    )
    wrong = sum(1 for r in seed.rounds for c in r.choices if c.verdict != "recommended")
    assert html.count('class="db-root db-atlas-branch"') == 2 + wrong
    assert html.count("Damage report:") == 2 + wrong
    for rnd in seed.rounds:
        for choice in rnd.choices:
            assert choice.why.replace("'", "&#x27;") in html
