"""The CLI as authors and instructors use it: real process, real exit codes, one-line errors."""

from __future__ import annotations

import subprocess
import sys

from .conftest import FILES, REPO


def drillbook(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "drillbook", *args], capture_output=True, text=True, cwd=REPO)


def test_validate_default_folder_passes() -> None:
    result = drillbook("validate")
    assert result.returncode == 0, result.stderr
    assert "bond-failover.yaml: ok (Network Bonding Failover Not Working, 4 rounds)" in result.stdout


def test_validate_reports_every_bad_file_and_exits_1() -> None:
    result = drillbook("validate", str(FILES / "minimal.yaml"), str(FILES / "bad" / "unknown-verdict.yaml"),
                       str(FILES / "bad" / "python-tag.yaml"))
    assert result.returncode == 1
    assert "minimal.yaml: ok" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines[0].endswith(
        "unknown-verdict.yaml:31: round 'triage' choice 'C' field 'verdict': unknown value 'meh' "
        "(expected one of: recommended, partial, band-aid, overkill, harmful, wasted)"
    )
    assert "python-tag.yaml:2: " in lines[1]
    assert lines[2] == "2 of 3 scenario file(s) have errors"
    assert "Traceback" not in result.stderr


def test_validate_missing_file() -> None:
    result = drillbook("validate", "nope.yaml")
    assert result.returncode == 1
    assert "nope.yaml: cannot read the file (No such file or directory)" in result.stderr


def test_paths_prints_count_optimal_and_worst() -> None:
    result = drillbook("paths", "bond-failover")
    assert result.returncode == 0, result.stderr
    assert "distinct paths: 4096" in result.stdout
    assert "optimal: B-A-A (15 min)" in result.stdout
    assert "(80 min)" in result.stdout.split("worst:")[1]


def test_paths_unknown_scenario_is_a_sentence() -> None:
    result = drillbook("paths", "no-such-incident")
    assert result.returncode == 1
    assert result.stderr.strip() == "drillbook: no scenario 'no-such-incident' (known: bond-failover, lacp-one-link, mtu-blackhole)"


def test_play_prints_damage_report() -> None:
    result = drillbook("play", "bond-failover", "ACDB-BCDA-BCDA")
    assert result.returncode == 0, result.stderr
    assert "time: 80 min (optimal 15, worst 80)" in result.stdout
    assert "downtime: 16 min, SLA 10 min: BREACHED" in result.stdout
    assert "risk: Risk of data inconsistency during extended split" in result.stdout


def test_play_bad_code_and_partial_path() -> None:
    bad = drillbook("play", "bond-failover", "B-Q")
    assert bad.returncode == 1 and "is not a replay code" in bad.stderr and "Traceback" not in bad.stderr
    partial = drillbook("play", "bond-failover", "B-A")
    assert partial.returncode == 1 and "stops in round 3" in partial.stderr


def test_console_script_is_installed() -> None:
    import shutil
    from pathlib import Path

    script = Path(sys.executable).parent / "drillbook"
    assert script.exists() or shutil.which("drillbook")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "validate" in result.stdout


def test_notes_export_for_a_study_group(tmp_path) -> None:
    import json

    from drillbook.store import Store

    db = tmp_path / "notes.sqlite3"
    store = Store(db)
    store.add_note("bond-failover", "remediation", "Test failover <b>monthly</b>", group="blue-team", author="ana")
    store.add_note("bond-failover", "triage", "Check ethtool -i before anything", group="blue-team", author="bo")
    store.add_note("bond-failover", "triage", "another group's note", group="red-team")
    store.close()

    md = drillbook("notes", "bond-failover", "--group", "blue-team", "--db", str(db))
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# Notes: Network Bonding Failover Not Working\n")
    assert "another group's note" not in md.stdout
    # sections in play order (round 2 before the remediation round), whatever order notes were written
    assert md.stdout.index("## Round 2: ") < md.stdout.index("## Round 4: ")
    assert "(bo): Check ethtool -i before anything" in md.stdout
    assert "Test failover <b>monthly</b>" in md.stdout  # Markdown export keeps the text as typed

    as_json = drillbook("notes", "bond-failover", "--group", "blue-team", "--db", str(db), "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert {(r["round_id"], r["author"]) for r in rows} == {("remediation", "ana"), ("triage", "bo")}

    empty = drillbook("notes", "bond-failover", "--group", "green-team", "--db", str(db))
    assert empty.returncode == 0 and empty.stdout == ""
    assert "no notes on bond-failover for group 'green-team'" in empty.stderr


def test_notes_export_without_a_database_is_one_sentence(tmp_path) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    result = drillbook("notes", "bond-failover", "--db", str(missing))
    assert result.returncode == 1
    assert f"no notes database at {missing}" in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists()  # an export never creates a database


def test_notes_export_unknown_scenario() -> None:
    result = drillbook("notes", "no-such-incident")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no-such-incident" in result.stderr


def test_serve_is_a_subcommand_with_its_own_options() -> None:
    listed = drillbook("--help")
    assert "serve" in listed.stdout
    helped = drillbook("serve", "--help")
    assert helped.returncode == 0 and "usage: drillbook serve" in helped.stdout and "--port" in helped.stdout
    bad = drillbook("serve", "--port", "70000")
    assert bad.returncode == 2 and "70000 is not a port between 1 and 65535" in bad.stderr
