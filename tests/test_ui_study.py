"""Study groups annotate the whole course: section notes on every primer and the debrief, notes
on removed sections, and the debrief's group postmortem form, driven in-process as a learner would."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from drillbook.errors import UnknownIdError
from drillbook.group_postmortem import FIELDS, FOLLOW_UPS, parse_follow_ups
from drillbook.scenario import Scenario
from drillbook.sections import notebook_sections, sections_of
from drillbook.store import Store
from drillbook.topics import NotesTopic
from drillbook.ui.notes import NotesPanel
from drillbook.group_postmortem import postmortem_markdown
from drillbook.topics import page_topic
from drillbook.ui.study import GroupPostmortemForm, RemovedSectionNotes

from .conftest import REPO

ANNOTATED = ["primer-datacenter-hardware.ipynb", "primer-linux-ops.ipynb", "primer-lacp-bonding.ipynb",
             "footguns-networking.ipynb", "debrief.ipynb"]


def _cells(page: str) -> list[dict[str, object]]:
    return json.loads((REPO / "course" / page).read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("page", ANNOTATED)
def test_every_section_has_a_stable_id_and_one_notes_panel_inside_it(page: str) -> None:
    cells = _cells(page)
    headings = [c for c in cells if c["cell_type"] == "markdown" and any(
        line.startswith("## ") for line in "".join(c["source"]).splitlines())]
    sections = notebook_sections(REPO / "course" / page)
    assert len(sections) == len(headings) >= 5
    current = None
    seen: list[str] = []
    for cell in cells:
        source = "".join(cell["source"])
        if cell in headings:
            current = cell["metadata"]["drillbook"]["section"]
        calls = re.findall(r'section_notes\("([^"]+)", "([^"]+)"\)', source)
        for called_page, section_id in calls:
            assert called_page == page and section_id == current, f"{section_id} is placed outside its section"
            seen.append(section_id)
    assert seen == [s.id for s in sections], "each section has exactly one notes panel, in order"
    assert any(f'removed_section_notes("{page}")' in "".join(c["source"]) for c in cells)


def _notebook(*headings: tuple[str, str | None]) -> dict[str, object]:
    cells = []
    for title, section_id in headings:
        meta = {"drillbook": {"section": section_id}} if section_id else {}
        cells.append({"cell_type": "markdown", "metadata": meta, "source": [f"## {title}\n", "text\n"]})
    return {"cells": cells}


def test_a_bad_or_duplicate_id_is_refused_and_a_heading_without_one_takes_no_notes() -> None:
    assert [s.id for s in sections_of(_notebook(("Intro", "intro"), ("Draft", None)), "p.ipynb")] == ["intro"]
    with pytest.raises(UnknownIdError, match="section id 'modes' is used twice"):
        sections_of(_notebook(("Modes", "modes"), ("More modes", "modes")), "p.ipynb")
    with pytest.raises(UnknownIdError, match="no valid"):
        sections_of(_notebook(("Intro", "intro"), ("Modes", "Modes With Caps")), "p.ipynb")


def _topic(tmp_path: Path, *headings: tuple[str, str]) -> NotesTopic:
    sections = sections_of(_notebook(*headings), "p.ipynb")
    return NotesTopic("p.ipynb", "A primer", {s.id: s.title for s in sections},
                      {s.id: f"Notes on “{s.title}”" for s in sections}, "p")


def test_notes_survive_a_reworded_heading_and_a_removed_section_is_still_listed(tmp_path: Path) -> None:
    store = Store(tmp_path / "n.sqlite3")
    before = _topic(tmp_path, ("Bond modes", "modes"), ("Old section", "old"))
    panel = NotesPanel(before, store, group="blue", author="ana", round_id="modes")
    panel.body.value = "802.3ad needs the switch"
    panel.save.click()
    NotesPanel(before, store, group="blue", author="ana", round_id="old").body.value = "x"
    old = NotesPanel(before, store, group="blue", author="ana", round_id="old")
    old.body.value = "a note on a section that will go"
    old.save.click()
    after = _topic(tmp_path, ("The modes, and what each needs", "modes"))
    reworded = NotesPanel(after, store, group="blue", round_id="modes")
    assert "Notes on “The modes, and what each needs”" in reworded.heading.value
    assert "802.3ad needs the switch" in reworded.listing.value
    removed = RemovedSectionNotes(after, store, "blue")
    assert "a note on a section that will go" in removed.listing.value and "old" in removed.listing.value
    assert "802.3ad" not in removed.listing.value


def test_you_edit_and_delete_your_own_notes_only(tmp_path: Path) -> None:
    store = Store(tmp_path / "n.sqlite3")
    topic = _topic(tmp_path, ("Modes", "modes"))
    other = NotesPanel(topic, store, group="blue", author="bo", round_id="modes")
    other.body.value = "bo's note"
    other.save.click()
    mine = NotesPanel(topic, store, group="blue", author="ana", round_id="modes")
    assert mine.own_row.layout.display == "none" and mine.mine.options == ()
    mine.body.value = "first words"
    mine.save.click()
    assert [label for label, _ in mine.mine.options] == [mine.mine.options[0][0]] and "first words" in mine.mine.options[0][0]
    mine.mine.value = mine.mine.options[0][1]
    mine.edit.click()
    assert mine.body.value == "first words" and mine.save.description == "Save changes"
    mine.body.value = "better words"
    mine.save.click()
    assert "Note updated." in mine.status.value
    bodies = [n.body for n in store.notes("p.ipynb", "modes", group="blue")]
    assert bodies == ["bo's note", "better words"]
    mine.mine.value = mine.mine.options[0][1]
    mine.delete.click()
    assert [n.body for n in store.notes("p.ipynb", "modes", group="blue")] == ["bo's note"]
    # bo's note is never offered to ana, even by id
    mine.mine.options = [("forged", store.notes("p.ipynb", "modes", group="blue")[0].id)]
    mine.mine.value = mine.mine.options[0][1]
    mine.delete.click()
    assert "only your own notes" in mine.status.value
    assert [n.body for n in store.notes("p.ipynb", "modes", group="blue")] == ["bo's note"]


def test_author_and_body_are_shown_escaped(tmp_path: Path) -> None:
    store = Store(tmp_path / "n.sqlite3")
    panel = NotesPanel(_topic(tmp_path, ("Modes", "modes")), store, group="g",
                       author='<img src=x onerror="alert(1)">', round_id="modes")
    panel.body.value = "<script>alert(2)</script>"
    panel.save.click()
    assert "<img" not in panel.listing.value and "<script>" not in panel.listing.value
    assert "&lt;img src=x" in panel.listing.value and "&lt;script&gt;" in panel.listing.value


def test_a_real_primer_page_exports_notes_under_its_section_titles(tmp_path: Path) -> None:
    store = Store(tmp_path / "n.sqlite3")
    topic = page_topic("primer-lacp-bonding.ipynb")
    first, second = list(topic.headings)[:2]
    for anchor, body in ((first, "modes need the switch"), (second, "fail_over_mac matters")):
        panel = NotesPanel(topic, store, group="g", author="ana", round_id=anchor)
        panel.body.value = body
        panel.save.click()
    panel.export.click()
    link = re.search(r'download="primer-lacp-bonding-notes.md" href="data:text/markdown;charset=utf-8;base64,([^"]+)"',
                     panel.downloads.value)
    assert link is not None
    markdown = base64.b64decode(link.group(1)).decode()
    assert f"## {topic.headings[first]}\n\n- " in markdown and "modes need the switch" in markdown
    assert markdown.index(topic.headings[first]) < markdown.index("modes need the switch") < markdown.index(
        topic.headings[second]) < markdown.index("fail_over_mac matters")


@pytest.fixture()
def form(tmp_path: Path, seed: Scenario) -> GroupPostmortemForm:
    return GroupPostmortemForm(seed, Store(tmp_path / "n.sqlite3"), "blue")


def test_the_form_saves_as_typed_and_another_member_sees_it(form: GroupPostmortemForm, tmp_path: Path,
                                                            seed: Scenario) -> None:
    assert [f.key for f in FIELDS] == list(form.fields)
    form.fields["summary"].value = "Failover failed: eth1 ran old firmware."
    assert "Saved." in form.status.value
    form.fields["root_cause"].value = "NIC firmware missed by patching"
    form.add_follow_up.click()
    action, owner, _remove = form.follow_ups.children[0].children
    action.value = "audit NIC firmware fleet-wide"
    owner.value = "ana"
    again = GroupPostmortemForm(seed, Store(tmp_path / "n.sqlite3"), "blue")
    assert again.fields["summary"].value == "Failover failed: eth1 ran old firmware."
    assert again.fields["root_cause"].value == "NIC firmware missed by patching"
    assert [(r.children[0].value, r.children[1].value) for r in again.follow_ups.children] == [
        ("audit NIC firmware fleet-wide", "ana")]
    other_group = GroupPostmortemForm(seed, Store(tmp_path / "n.sqlite3"), "red")
    assert other_group.fields["summary"].value == ""


def test_removing_a_follow_up_is_saved(form: GroupPostmortemForm) -> None:
    for name in ("a", "b"):
        form.add_follow_up.click()
        form.follow_ups.children[-1].children[0].value = f"action {name}"
    form.follow_ups.children[0].children[2].click()
    saved = parse_follow_ups(form.store.postmortem("bond-failover", group="blue")[FOLLOW_UPS])
    assert [f.action for f in saved] == ["action b"]


def test_switching_group_loads_that_groups_form_without_overwriting(form: GroupPostmortemForm) -> None:
    form.fields["title"].value = "Blue's title"
    form.group.value = "red"
    assert form.fields["title"].value == ""
    assert form.store.postmortem("bond-failover", group="blue")["title"] == "Blue's title"
    assert "title" not in form.store.postmortem("bond-failover", group="red")


def test_download_writes_the_group_postmortem_with_runs_and_notes(form: GroupPostmortemForm, seed: Scenario) -> None:
    store = form.store
    store.save_progress("bond-failover", "B-A-A", finished=True, total_minutes=15, group="blue", learner="ana")
    store.add_note("bond-failover", "alert", "check the bond first", group="blue", author="ana")
    topic = page_topic("primer-lacp-bonding.ipynb")
    section_id, section_title = next(iter(topic.headings.items()))
    store.add_note(topic.page, section_id, "802.3ad needs LACP on the switch", group="blue", author="bo")
    form.fields["title"].value = "Bond failover that never was"
    form.fields["summary"].value = "<b>eth1</b> passed nothing."
    form.load()
    assert "B-A-A" in form.alongside.value and "2 note(s)" in form.alongside.value
    form.download.click()
    link = re.search(r'download="bond-failover-postmortem.md" href="data:text/markdown;charset=utf-8;base64,([^"]+)"',
                     form.downloads.value)
    assert link is not None
    markdown = base64.b64decode(link.group(1)).decode()
    assert markdown == postmortem_markdown(seed, store, "blue")
    assert markdown.startswith("# Bond failover that never was\n")
    assert "- Group: blue" in markdown and "## Summary\n\n<b>eth1</b> passed nothing." in markdown
    assert "| ana | B-A-A | 15 | yes |" in markdown
    assert "#### Round 1: " in markdown and "check the bond first" in markdown
    assert f"### Bonding & LACP\n\n#### {section_title}\n\n" in markdown and "802.3ad needs LACP" in markdown
    assert "## Follow-ups\n\n_(none yet)_" in markdown


def test_a_page_without_any_section_ids_takes_no_notes() -> None:
    assert sections_of(_notebook(("Welcome", None), ("Contents", None))) == ()
    assert notebook_sections(REPO / "course" / "index.ipynb") == ()


def test_the_hub_user_signs_section_notes_when_the_page_gives_no_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import drillbook.ui.study as study

    monkeypatch.setattr(study, "_identity", None)
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    assert (study.identity({"group": " blue "}).group, study.identity().name) == ("blue", "ana")
    monkeypatch.setattr(study, "_identity", None)
    assert study.identity({"name": "bo"}).name == "bo"


def test_hiding_one_lazy_section_hides_nothing_else() -> None:
    """Pages hide whole sections (the replay hides its console after the incident); sections
    share their toggles' layout, so the box itself must not share one."""
    from drillbook.ui.lazy import LazySection
    from drillbook.ui._models import html

    first = LazySection("one", lambda: html("x"), "a")
    second = LazySection("two", lambda: html("y"), "b")
    bystander = html("db-message-area")
    first.layout.display = "none"
    assert second.layout.display != "none" and bystander.layout.display != "none"
    assert second.toggle.layout is first.toggle.layout, "toggles share one layout model"


def test_drillbook_export_without_a_learner_writes_the_group_postmortem(tmp_path: Path, seed: Scenario) -> None:
    """The instructor's copy of what the debrief's form downloads: the same Markdown, from a
    database opened read-only, by the real command."""
    import subprocess
    import sys

    path = tmp_path / "class.sqlite3"
    store = Store(path)
    store.save_postmortem_field("bond-failover", "summary", "eth1 passed nothing", group="blue")
    store.save_postmortem_field("bond-failover", "follow_ups", '[{"action": "firmware audit", "owner": "bo"}]',
                                group="blue")
    topic = page_topic("debrief.ipynb")
    store.add_note(topic.page, next(iter(topic.headings)), "we missed the firmware", group="blue", author="ana")
    expected = postmortem_markdown(seed, store, "blue")
    store.close()
    out = tmp_path / "pm.md"
    result = subprocess.run([sys.executable, "-m", "drillbook", "export", "bond-failover", "--group", " blue ",
                             "--db", str(path), "-o", str(out)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"wrote the postmortem of group 'blue' to {out}\n"
    text = out.read_text(encoding="utf-8")
    assert text == expected
    assert "eth1 passed nothing" in text and "- [ ] firmware audit (owner: bo)" in text
    assert "### Debrief & postmortem" in text and "we missed the firmware" in text
