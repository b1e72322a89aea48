"""The replay notebook and the branch atlas: saved executed (nbval compares their outputs) and
free of scenario content (it lives in the YAML; the notebooks only call the package)."""

from __future__ import annotations

import json

import pytest

from drillbook.replay_codes import summarize
from drillbook.scenario import find_scenario, load_scenario

from .conftest import REPO

#: replay notebook -> the scenario it plays
REPLAYS = {"incident-replay.ipynb": "bond-failover", "incident-lacp-one-link.ipynb": "lacp-one-link",
           "incident-mtu-blackhole.ipynb": "mtu-blackhole"}
NOTEBOOKS = (*REPLAYS, "branch-atlas.ipynb")
SCENARIOS = {sid: load_scenario(find_scenario(sid)) for sid in REPLAYS.values()}


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
@pytest.mark.parametrize("scenario_id", sorted(SCENARIOS))
def test_no_scenario_content_in_the_source(name: str, scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    source = "\n".join("".join(c["source"]) for c in cells(name))
    texts = [scenario.title, scenario.setup.system_context, *(r.pressure_cue for r in scenario.rounds)]
    texts += [c.label for r in scenario.rounds for c in r.choices] + [a.text for r in scenario.rounds for a in r.actions]
    assert not [t for t in texts if t in source]
    summary = summarize(scenario)
    assert summary.optimal_code not in source and summary.worst_code not in source


@pytest.mark.parametrize("name, scenario_id", sorted(REPLAYS.items()))
def test_replay_notebook_shows_the_app_at_its_start(name: str, scenario_id: str) -> None:
    scenario = SCENARIOS[scenario_id]
    app_cell = next(c for c in cells(name) if "app(" in "".join(c["source"]))
    assert "".join(app_cell["source"]).endswith(f'app("{scenario_id}")')
    (out,) = app_cell["outputs"]
    assert "application/vnd.jupyter.widget-view+json" in out["data"]
    before = scenario.damage.downtime_before_alert
    assert "".join(out["data"]["text/plain"]) == (
        f"ReplayApp('{scenario_id}': round 1 of 4, path '', 0 min, downtime {before} of "
        f"{scenario.clock.sla_minutes} min, SLA met)")


def test_atlas_shows_every_branch_and_the_answer_key_of_every_incident() -> None:
    outputs = ["".join(out.get("data", {}).get("text/html", ""))
               for c in cells("branch-atlas.ipynb") for out in c.get("outputs", [])]
    html = "\n".join(outputs)
    total = 0
    for scenario in SCENARIOS.values():
        (section,) = [o for o in outputs if f"Answer key: {scenario.title}" in o]
        wrong = sum(1 for r in scenario.rounds for c in r.choices if c.verdict != "recommended")
        assert section.count('class="db-root db-atlas-branch"') == section.count("Damage report:") == 2 + wrong
        total += 2 + wrong
        for rnd in scenario.rounds:
            for choice in rnd.choices:
                assert choice.why.replace("'", "&#x27;") in section
        summary = summarize(scenario)
        assert f"<code>{summary.optimal_code}</code>" in section and f"<code>{summary.worst_code}</code>" in section
    assert html.count('class="db-root db-atlas-branch"') == total


def test_every_scenario_has_a_replay_page_in_the_course_and_a_place_in_the_atlas() -> None:
    """A new incident is not done until a course page plays it and the atlas plays its branches."""
    from drillbook.course import default_course

    files = {e.file for e in default_course().entries}
    atlas = "\n".join("".join(c["source"]) for c in cells("branch-atlas.ipynb"))
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        pages = [name for name in files
                 if any(f'app("{path.stem}")' in "".join(c["source"]) for c in cells(name))]
        assert len(pages) == 1, f"{path.stem}: replay pages in course.yaml: {pages}"
        assert REPLAYS.get(pages[0]) == path.stem
        assert f'atlas("{path.stem}")' in atlas
