"""``drillbook import-markdown``: the seed imports to the hand-written scenario, other real-world
shapes of the same document import the same, and broken documents get one ``file:line:`` line.

What "equivalent" compares (see :func:`shape`): title, setup, SLA and start time; per round its
number, kind, title, pressure cue and (decision rounds) what you see; per choice its key, label,
verdict, result text and route (``next`` as the target round's *number*, since the importer names
rounds after their titles and the hand-written file uses short ids); remediation action texts
and commands; every damage figure and fact; cross-references. Not compared: ids, ``why``,
``reveals``, ``effects``, ``outage_minutes``, ``host``, ``expect`` and action minutes (all added
by hand), and a choice's minutes where the seed states no time (the importer estimates those).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drillbook.authoring.commands import known_commands, repair
from drillbook.authoring.emit import import_markdown
from drillbook.authoring.document import MarkdownError
from drillbook.course import default_course
from drillbook.host.commands import COMMANDS
from drillbook.model import Scenario
from drillbook.scenario import load_scenario

from .conftest import FILES, REPO

SEED_MD = FILES / "seed-bond-failover.txt"
SEED_TEXT = SEED_MD.read_text(encoding="utf-8")
STATES_MINUTES = re.compile(r"\d+\+? minutes")


def drillbook(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "drillbook", *args], capture_output=True, text=True, cwd=REPO)


def shape(scenario: Scenario) -> dict[str, Any]:
    number = {r.id: r.number for r in scenario.rounds}
    damage = scenario.damage
    return {
        "title": scenario.title, "setup": scenario.setup, "clock": scenario.clock,
        "rounds": [
            (r.number, r.kind, r.title, r.pressure_cue, r.what_you_see if r.kind == "decision" else "",
             [(c.key, c.label, c.verdict, c.result, number.get(c.next, c.next),
               c.minutes if STATES_MINUTES.search(c.result) else "estimated") for c in r.choices],
             [(a.text, a.command) for a in r.actions])
            for r in scenario.rounds
        ],
        "damage": damage,
        "cross_references": scenario.cross_references,
    }


def imported(text: str, tmp_path: Path, name: str = "incident.md") -> Scenario:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_markdown(path, "bond-failover", default_course()).scenario


def test_seed_imports_to_the_hand_written_scenario(seed: Scenario, tmp_path: Path) -> None:
    assert shape(imported(SEED_TEXT, tmp_path)) == shape(seed)


def test_seed_import_checks_the_stated_minutes_only(seed: Scenario, tmp_path: Path) -> None:
    stated = {(r.number, c.key): c.minutes for r in imported(SEED_TEXT, tmp_path).rounds for c in r.choices
              if STATES_MINUTES.search(c.result)}
    assert stated == {(2, "D"): 10, (3, "B"): 30}  # "10 minutes spent", "takes 30+ minutes"


def _reshape(text: str) -> str:
    """The seed as another converter would have written it: Markdown headings instead of
    pilcrows, every one-line choice list split one per line, the recommended marker moved
    from the result heading to the choice, a result without brackets."""
    out = []
    for line in text.splitlines():
        line = line.rstrip("¶")
        if re.match(r"^(Round \d|Setup|Damage Report|Cross-References|If you chose)", line):
            line = "### " + line + " ###"
        if line.startswith("Choose your action: - "):
            out.append("Choose your action:")
            out.extend("* " + part.strip().rstrip(" -") for part in re.split(r"(?=\b[A-D]\) )", line[len("Choose your action: - "):]) if part.strip(" -"))
            continue
        out.append(line)
    text = "\n".join(out).replace("- B) Access the server", "- B) (recommended) Access the server")
    text = text.replace("If you chose B (recommended):", "If you chose B:")
    return text.replace("[Result: Cable is fine", "Result: Cable is fine").replace("walkdown for nothing.]", "walkdown for nothing.")


def test_other_shapes_of_the_same_document_import_the_same(seed: Scenario, tmp_path: Path) -> None:
    reshaped = _reshape(SEED_TEXT)
    assert "### Round 1: Alert Fires ###" in reshaped and "* C) Check the switch B port" in reshaped
    assert shape(imported(reshaped, tmp_path)) == shape(seed)


def test_glued_commands_are_repaired_and_quoted() -> None:
    assert repair("the OS is running. cat /proc/net/bonding/bond0shows both", quote=True) == \
        "the OS is running. `cat /proc/net/bonding/bond0` shows both"
    assert repair("incorrect firmware.dmesg | grep eth1reveals it", quote=True) == \
        "incorrect firmware. `dmesg | grep eth1` reveals it"
    assert repair("via\nethtool -i eth1to confirm", quote=False) == "via\nethtool -i eth1 to confirm"
    assert repair("Test: ifdown eth0 && sleep 5 && ifup eth0 — verify", quote=True) == \
        "Test: `ifdown eth0 && sleep 5 && ifup eth0` — verify"
    assert repair("ethtool shows link; `ethtool eth1` already quoted", quote=True) == \
        "ethtool shows link; `ethtool eth1` already quoted"
    # glued to a small word in front, or to a parenthesis behind; never split out of a longer word
    assert repair("mtu 9000, andip route get 10.30.0.21shows no mtu", quote=True) == \
        "mtu 9000, and `ip route get 10.30.0.21` shows no mtu"
    assert repair("ping -M do -s 1472(a 1500-byte packet)", quote=True) == "`ping -M do -s 1472` (a 1500-byte packet)"
    assert repair("the android ip linkage", quote=True) == "the android ip linkage"


def test_an_action_runs_the_command_after_its_label_only() -> None:
    from drillbook.authoring.emit import _console_step

    assert _console_step("Verify bond status: `cat /proc/net/bonding/bond0` — both slaves active") == "cat /proc/net/bonding/bond0"
    assert _console_step("Monitor a jumbo-frame probe (`ping -M do -s 8972`) between hosts") == ""
    assert _console_step("Add NIC firmware version to the automated patching checklist") == ""


def test_every_known_command_is_one_the_console_simulates() -> None:
    names = {shape.split()[0] for shape in known_commands()}
    assert names <= set(COMMANDS), names - set(COMMANDS)


def test_cli_writes_a_valid_scenario_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "scenarios" / "imported-bond.yaml"
    result = drillbook("import-markdown", str(SEED_MD), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "valid, 4 rounds" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert "id: imported-bond\n" in text
    assert "        verdict: band-aid  # TODO: check (the result says 'band-aid')" in text
    assert "        minutes: 30  # from the text: '30+ minutes'" in text
    assert "        next: stay  # TODO: check ('eventually leads to Round 2'" in text
    assert "        verdict: recommended\n" in text  # the marker is stated, not guessed
    assert drillbook("validate", str(out)).returncode == 0
    again = drillbook("import-markdown", str(SEED_MD), "-o", str(out))
    assert again.returncode == 1 and again.stderr.strip() == f"drillbook: {out} already exists; pass --force to replace it"
    assert drillbook("import-markdown", str(SEED_MD), "-o", str(out), "--force").returncode == 0


def test_cli_prints_yaml_without_output_file() -> None:
    result = drillbook("import-markdown", str(SEED_MD))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Incident replay: Network Bonding Failover Not Working\n")
    assert "id: seed-bond-failover\n" in result.stdout


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


def _drop_lines(first: int, last: int) -> Callable[[str], str]:
    return lambda text: "\n".join(l for n, l in enumerate(text.split("\n"), 1) if not first <= n <= last)


MALFORMED: list[tuple[str, Callable[[str], str], str]] = [
    ("empty", lambda t: "\n  \n", "1: the file is empty; expected an incident replay (a title, Setup, Round 1: …)"),
    ("no-rounds", _drop_lines(6, 57), "15: reached the end of the file without a 'Round 1: Title' heading; an incident replay needs rounds"),
    ("choice-without-result", _drop_lines(17, 18),
     "9: choice D of Round 1 has no result (expected 'If you chose D:' and then [Result: …])"),
    ("duplicate-letter", _replace("- D) Check for cable issues on eth1", "- C) Check for cable issues on eth1"),
     "27: choice C appears twice in Round 2 (first at line 26)"),
    ("leads-nowhere", lambda t: t.replace("If you chose A (recommended):¶\n[Result:\nethtool", "If you chose A:¶\n[Result:\nethtool")
     .replace("patching cycle. Proceed to Round 3.]", "patching cycle.]"),
     "19: Round 2 (First Triage Data) leads nowhere: no choice is marked (recommended) and no result says 'Proceed to Round N'"),
    ("missing-target", _replace("did not take over. Proceed to Round 2.]", "did not take over. Proceed to Round 9.]"),
     "13: choice B of Round 1 proceeds to Round 9, but the document has rounds 1 to 4"),
    ("loop", _replace("Worse than the original problem.]", "Worse than the original problem. Proceed to Round 2.]"),
     "47: choice C of Round 3 leads back to Round 2; rounds may only lead forward"),
    ("round-gap", _replace("Round 3: Root Cause Identification", "Round 5: Root Cause Identification"),
     "37: Round 5 follows Round 2; expected Round 3"),
    ("unclosed-bracket", _replace("10 minutes spent on a physical walkdown for nothing.]", "10 minutes spent on a physical walkdown for nothing."),
     "36: the '[' opened here is never closed with ']'"),
    ("unknown-heading", _replace("Damage Report¶", "Lessons Learned¶\nDamage Report¶"),
     "58: heading 'Lessons Learned' is not part of the incident replay format (expected Setup, Round N: Title, If you chose X:, Damage Report or Cross-References)"),
    ("result-without-choice", _replace("If you chose D:¶\n[Result: Server reboots", "If you chose E:¶\n[Result: Server reboots"),
     "17: Round 1 has no choice E to give a result for (choices: A, B, C, D)"),
    ("unreachable-round", _replace("did not take over. Proceed to Round 2.]", "did not take over. Proceed to Round 3.]"),
     "19: round 'first-triage-data': is unreachable: no choice leads to it"),
    ("validator-error-at-markdown-line", _replace("- A) SSH to the replica", "- A) " + "very " * 80 + "SSH to the replica"),
     "9: round 'alert-fires' choice 'A' field 'label': is 456 characters long; the limit is 300"),
]


@pytest.mark.parametrize(("edit", "expected"), [(e, x) for _, e, x in MALFORMED], ids=[name for name, _, _ in MALFORMED])
def test_malformed_markdown_gets_one_line_naming_the_markdown_line(tmp_path: Path, edit: Callable[[str], str], expected: str) -> None:
    path = tmp_path / "broken.md"
    path.write_text(edit(SEED_TEXT), encoding="utf-8")
    out = tmp_path / "broken.yaml"
    result = drillbook("import-markdown", str(path), "-o", str(out))
    assert result.returncode == 1
    assert result.stderr == f"{path}:{expected}\n"
    assert not out.exists()


@pytest.mark.parametrize(("junk", "expected"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "3: the file contains a NUL byte; is it binary?"),
    (b"Incident Replay: x\n\xff\xfe broken", "2: the file is not UTF-8 text; is it binary?"),
    (b"Incident Replay: x\nSetup\x07", "2: unexpected control character U+0007; is the file binary?"),
], ids=["nul", "not-utf8", "control-char"])
def test_binary_junk_is_one_line(tmp_path: Path, junk: bytes, expected: str) -> None:
    path = tmp_path / "junk.md"
    path.write_bytes(junk)
    result = drillbook("import-markdown", str(path))
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"{path}:{expected}\n")


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    result = drillbook("import-markdown", str(tmp_path / "nope.md"))
    assert result.returncode == 1
    assert result.stderr == f"{tmp_path / 'nope.md'}: cannot read the file (No such file or directory)\n"


def test_bad_output_names_are_refused(tmp_path: Path) -> None:
    bad_id = drillbook("import-markdown", str(SEED_MD), "-o", str(tmp_path / "Bond Failover.yaml"))
    assert bad_id.returncode == 1
    assert "'Bond Failover' is not a scenario id; use lowercase letters, digits, '-' and '_'" in bad_id.stderr
    not_yaml = drillbook("import-markdown", str(SEED_MD), "-o", str(tmp_path / "bond.json"))
    assert not_yaml.returncode == 1 and "the output must be a .yaml file" in not_yaml.stderr


def test_import_error_is_a_markdown_error_in_process(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text(SEED_TEXT.replace("Round 2: First Triage Data¶", "Round 2 First Triage Data"), encoding="utf-8")
    with pytest.raises(MarkdownError) as caught:
        import_markdown(path, "x", default_course())
    assert (caught.value.path, caught.value.line) == (str(path), 19)
    assert caught.value.message == "'Round 2 First Triage Data' looks like a round heading; write it as 'Round 2: First Triage Data'"


def test_the_hand_written_scenario_loads(seed: Scenario) -> None:
    # the reference of the equivalence test is the file the course plays
    assert load_scenario(REPO / "scenarios" / "bond-failover.yaml") == seed


# -- property: whatever the text, a valid scenario or one line naming a line of the file ---------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_SEED_LINES = SEED_TEXT.split("\n")
_line_index = st.integers(min_value=0, max_value=len(_SEED_LINES) - 1)
_noise = st.text(alphabet=st.characters(codec="utf-8"), max_size=80) | st.sampled_from(
    ["Round 2: Again¶", "If you chose A (recommended):", "- E) extra", "[Result: open", "]", "Actions:", "1. step",
     "Proceed to Round 1.", "# Damage Report", "Choose your action: - A) x - A) y", "[Pressure cue: \"x\"]", ""])
_edit = st.one_of(
    st.tuples(st.just("delete"), _line_index, _line_index),
    st.tuples(st.just("duplicate"), _line_index, _line_index),
    st.tuples(st.just("swap"), _line_index, _line_index),
    st.tuples(st.just("replace"), _line_index, _noise),
    st.tuples(st.just("insert"), _line_index, _noise),
    st.tuples(st.just("cut"), _line_index, st.integers(0, 200)),
)


def _mutate(edits: list[tuple[str, int, Any]]) -> str:
    lines = list(_SEED_LINES)
    for op, i, arg in edits:
        i %= max(len(lines), 1)
        if not lines:
            break
        if op == "delete":
            lo = min(i, arg % len(lines))
            del lines[lo:lo + 3]
        elif op == "duplicate":
            lines.insert(arg % len(lines), lines[i])
        elif op == "swap":
            j = arg % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "replace":
            lines[i] = arg
        elif op == "insert":
            lines.insert(i, arg)
        else:
            lines[i] = lines[i][:arg]
    return "\n".join(lines)


def _valid_or_one_line(text: str, tmp: Path) -> None:
    path = tmp / "fuzz.md"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        result = import_markdown(path, "fuzz", default_course())
    except MarkdownError as exc:
        message = exc.format_message()
        assert "\n" not in message
        match = re.match(rf"^{re.escape(str(path))}:(\d+): \S", message)
        assert match, message
        assert 1 <= int(match[1]) <= len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")), message
    else:
        from drillbook.scenario import load_text

        assert load_text(result.text, "<import>") == result.scenario


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(_edit, min_size=1, max_size=4))
def test_mutated_seed_is_a_scenario_or_one_line_error(tmp_path: Path, edits: list[tuple[str, int, Any]]) -> None:
    _valid_or_one_line(_mutate(edits), tmp_path)


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_random_text_is_a_scenario_or_one_line_error(tmp_path: Path, text: str) -> None:
    _valid_or_one_line(text, tmp_path)


def test_cross_references_match_course_notebooks_by_their_own_words(tmp_path: Path) -> None:
    text = SEED_TEXT.replace("- Primer: LACP", "- Primer: LACP\n- Primer: Quantum Entanglement")
    path = tmp_path / "refs.md"
    path.write_text(text, encoding="utf-8")
    result = import_markdown(path, "refs", default_course())
    assert [(r.title, r.notebook) for r in result.scenario.cross_references][2] == ("Primer: LACP", "primer-lacp-bonding.ipynb")
    assert len(result.scenario.cross_references) == 4  # the unknown primer is left for the author, commented
    assert '  # - {title: "Primer: Quantum Entanglement", notebook: "…"}  # TODO: no notebook in course.yaml matches' in result.text


def test_windows_line_endings_a_bom_and_blank_lines_change_nothing(seed: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "windows.md"
    path.write_bytes(b"\xef\xbb\xbf" + SEED_TEXT.replace("\n", "\r\n\r\n").encode("utf-8"))
    assert shape(import_markdown(path, "bond-failover", default_course()).scenario) == shape(seed)


def test_a_result_heading_for_two_choices_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "two.md"
    path.write_text(SEED_TEXT.replace("If you chose C:¶\n[Result: Switch B", "If you chose C or D:¶\n[Result: Switch B"), encoding="utf-8")
    with pytest.raises(MarkdownError) as caught:
        import_markdown(path, "two", default_course())
    assert caught.value.format_message() == f"{path}:15: 'If you chose C or D:': write one result heading per choice, like 'If you chose B:'"


def test_without_markers_the_choice_that_proceeds_is_the_guessed_recommendation(seed: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "unmarked.md"
    path.write_text(SEED_TEXT.replace(" (recommended)", ""), encoding="utf-8")
    result = import_markdown(path, "bond-failover", default_course())
    assert shape(result.scenario) == shape(seed)  # same verdicts and routes...
    guessed = "verdict: recommended  # TODO: check (no choice is marked (recommended); this one proceeds to the next round)"
    assert result.text.count(guessed) == 3  # ...but each recommendation is now marked as a guess
