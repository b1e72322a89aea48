"""The decision log and the postmortem export: a run logged as the replay logs it, exported
by ``drillbook export`` as a real process would, from a database the reader cannot write."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from drillbook import postmortem
from drillbook.engine import Engine
from drillbook.errors import DrillbookError, StoreError
from drillbook.runlog import RunLog
from drillbook.scenario import Scenario
from drillbook.store import Learner, Store

from .conftest import REPO

NOBODY = 65534


#: Runs the CLI as the unprivileged user ``nobody``: everything is imported first (the
#: interpreter lives under /root here), then the process gives up root before ``main`` runs.
AS_NOBODY = ("import os, sys, locale, encodings.idna; from drillbook import cli, report, replay_codes; cli.build_parser(); "
             f"os.setgroups([]); os.setgid({NOBODY}); os.setuid({NOBODY}); cli.main(sys.argv[1:])")


def drillbook(*args: str, as_nobody: bool = False) -> subprocess.CompletedProcess[str]:
    """The CLI as a real process; ``as_nobody``: root ignores file modes, so read as a user who
    really cannot write."""
    start = ["-c", AS_NOBODY] if as_nobody else ["-m", "drillbook"]
    return subprocess.run([sys.executable, *start, *args], capture_output=True, text=True, cwd=REPO)


def play_logged(seed: Scenario, store: Store, who: Learner, *, close: bool = True) -> RunLog:
    """Round 1: A then B, round 2: A, round 3: A, two remediation actions and close; with
    reasoning written before one choice and after another, and a minute at the console."""
    engine = Engine(seed)
    log = RunLog(seed.id, who, lambda: store)

    def choose(key: str, reasoning: str = "") -> None:
        rnd = engine.current_round
        assert rnd is not None
        engine.choose(key)
        log.record(engine, "choice", rnd.id, key, reasoning=reasoning)

    choose("A", "Promote first | restore service, then debug")
    choose("B")
    log.explain_last("The network is down:\n  only the BMC console can see the bond")
    engine.spend(1)
    log.record(engine, "console", "triage", "1")
    choose("A", "link up but MII down smells like the NIC")
    choose("A")
    if close:
        for action in ("verify-bond", "test-failover"):
            engine.complete_action(action)
            log.record(engine, "action", "remediation", action)
        engine.close_incident()
        log.record(engine, "close", "remediation", "")
    return log


@pytest.fixture()
def class_db(tmp_path: Path, seed: Scenario) -> Path:
    path = tmp_path / "class" / "drillbook.sqlite3"
    store = Store(path)
    play_logged(seed, store, Learner("blue", "ana"))
    store.add_note(seed.id, "triage", "Check ethtool -i before anything", group="blue", author="bo")
    store.add_note(seed.id, "alert", "Out-of-band first", group="blue", author="ana")
    store.add_note(seed.id, "alert", "red team's note", group="red", author="cy")
    store.close()
    return path


def test_reasoning_is_stored_with_its_choice(tmp_path: Path, seed: Scenario) -> None:
    store = Store(tmp_path / "db.sqlite3")
    log = play_logged(seed, store, Learner("blue", "ana"))
    events = store.run_events(seed.id, group="blue", learner="ana")
    choices = [(e.round_id, e.value, e.reasoning) for e in events if e.kind == "choice"]
    assert choices == [
        ("alert", "A", "Promote first | restore service, then debug"),
        ("alert", "B", "The network is down: only the BMC console can see the bond"),  # one line
        ("triage", "A", "link up but MII down smells like the NIC"),
        ("root-cause", "A", ""),
    ]
    assert log.reasons == [c[2] for c in choices]
    assert events[-1].finished and events[-1].elapsed_minutes == 3 + 3 + 1 + 3 + 6 + 1 + 2


def test_a_failing_store_keeps_the_log_in_memory(tmp_path: Path, seed: Scenario) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.close()  # every write now fails
    engine = Engine(seed)
    log = RunLog(seed.id, Learner(), lambda: store)
    engine.choose("B")
    with pytest.raises(StoreError):
        log.record(engine, "choice", "alert", "B", reasoning="console first")
    engine.choose("A")
    log.record(engine, "choice", "triage", "A", save=False)
    assert log.explain_last("ethtool next", save=False) == "ethtool next"
    assert log.reasons == ["console first", "ethtool next"]
    with pytest.raises(DrillbookError, match="make a choice first"):
        RunLog(seed.id, Learner(), lambda: store).explain_last("why")


def test_export_writes_a_blameless_postmortem(class_db: Path, seed: Scenario) -> None:
    result = drillbook("export", "bond-failover", "--group", "blue", "--learner", "ana", "--db", str(class_db))
    assert result.returncode == 0, result.stderr
    md = result.stdout
    sections = ["# Postmortem: Network Bonding Failover Not Working", "## Summary", "## Timeline", "## Damage report",
                "## The choices not taken", "## Remediation checklist", "## Group notes"]
    assert [md.index(s) for s in sections] == sorted(md.index(s) for s in sections)
    assert "- **Learner:** ana" in md and "- **Group:** blue" in md
    assert f"- **Date:** {dt.datetime.now(dt.timezone.utc).date().isoformat()}" in md
    # the timeline: simulated clock time, action, verdict, minutes and the reasoning beside it
    start = seed.clock.start
    assert (f"| {start:%H:%M} | 1. Alert Fires | A) SSH to the replica and promote it to primary immediately "
            "| Wasted time | 3 | Promote first \\| restore service, then debug |") in md
    assert (f"| {start + dt.timedelta(minutes=3):%H:%M} | 1. Alert Fires | B) Access the server via iDRAC/IPMI "
            "console to check bond status | Recommended | 3 | The network is down: only the BMC console can see "
            "the bond |") in md
    assert "| A) Update eth1 firmware and restart the bond | Recommended | 6 | — |" in md
    assert f"| {start + dt.timedelta(minutes=19):%H:%M} | | Incident closed |" in md
    assert "- **Time to resolve:** 19 min; optimal 15 min (+4 min), worst path 80 min" in md
    assert "- **At the console:** 1 min" in md
    # untaken choices and what they would have cost; taken ones are not listed there
    untaken = md.split("## The choices not taken")[1].split("## Remediation")[0]
    assert "| 3 | B) Replace eth1 with a spare NIC card | Overkill | 30 | 0 |" in untaken
    assert "| 1 | B) Access the server" not in untaken and "| 1 | A) SSH" not in untaken
    assert "- [x] Verify bond status" in md and "- [ ] Schedule firmware audit across all bonded servers" in md
    notes = md.split("## Group notes")[1]
    assert notes.index("### Round 1: Alert Fires") < notes.index("### Round 2: First Triage Data")
    assert "- **bo** (" in notes and "Check ethtool -i before anything" in notes
    assert "red team's note" not in md


def test_export_to_a_file(class_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "pm.md"
    result = drillbook("export", "bond-failover", "--group", "blue", "--learner", "ana", "--db", str(class_db),
                       "-o", str(out))
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.strip() == f"wrote the postmortem of learner 'ana' of group 'blue' to {out}"
    assert out.read_text(encoding="utf-8").startswith("# Postmortem: Network Bonding Failover Not Working\n")
    bad = drillbook("export", "bond-failover", "--group", "blue", "--learner", "ana", "--db", str(class_db),
                    "-o", str(tmp_path / "no-such-dir" / "pm.md"))
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "cannot write" in bad.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the export as another user")
def test_export_from_a_database_the_instructor_cannot_write(class_db: Path) -> None:
    """A 0444 file in a 0555 folder, read by an unprivileged user: mode=ro (and immutable,
    since SQLite cannot create its -shm index there) is enough; the file stays unchanged."""
    shared = Path(tempfile.mkdtemp(prefix="drillbook-ro-"))  # pytest's own tmp folders are root-only
    shared.chmod(0o755)
    db = shared / "class.sqlite3"
    shutil.copy(class_db, db)
    db.chmod(0o444)
    shared.chmod(0o555)
    before = db.read_bytes()
    try:
        result = drillbook("export", "bond-failover", "--group", "blue", "--learner", "ana", "--db", str(db),
                           as_nobody=True)
        notes = drillbook("notes", "bond-failover", "--group", "blue", "--db", str(db), as_nobody=True)
        hidden = drillbook("notes", "bond-failover", "--db", str(class_db), as_nobody=True)
        assert result.returncode == 0, result.stderr
        assert "## Timeline" in result.stdout and "Promote first" in result.stdout
        assert notes.returncode == 0 and "Out-of-band first" in notes.stdout
        assert sorted(p.name for p in shared.iterdir()) == ["class.sqlite3"]
        assert db.read_bytes() == before
        # a file the user may not even read: one sentence
        assert hidden.returncode == 1 and hidden.stderr.count("\n") == 1
        assert "cannot read the notes database at" in hidden.stderr and "Permission denied" in hidden.stderr
    finally:
        shared.chmod(0o755)
        shutil.rmtree(shared)


@pytest.mark.parametrize("args, sentence", [
    (("--group", "blue", "--learner", "nobody-here"), "learner 'nobody-here' of group 'blue' has no recorded run of bond-failover"),
    (("--group", "red", "--learner", "ana"), "learner 'ana' of group 'red' has no recorded run of bond-failover"),
])
def test_export_of_an_unknown_learner_is_one_sentence(class_db: Path, args: tuple[str, ...], sentence: str) -> None:
    result = drillbook("export", "bond-failover", *args, "--db", str(class_db))
    assert result.returncode == 1 and result.stderr == f"drillbook: {sentence}\n"


def test_export_of_an_open_run_and_of_a_damaged_file(tmp_path: Path, seed: Scenario) -> None:
    path = tmp_path / "db.sqlite3"
    play_logged(seed, Store(path), Learner("", "bo"), close=False)
    open_run = drillbook("export", "bond-failover", "--learner", "bo", "--db", str(path))
    assert open_run.returncode == 1
    assert open_run.stderr == ("drillbook: learner 'bo''s latest run of bond-failover stops in round 4; "
                               "the postmortem is written once the incident is closed\n")
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"\x00garbage" * 100)
    for command in ("export", "notes"):
        extra = ("--learner", "bo") if command == "export" else ()
        result = drillbook(command, "bond-failover", *extra, "--db", str(damaged))
        assert result.returncode == 1 and result.stderr.count("\n") == 1
        assert f"the notes database at {damaged} is damaged" in result.stderr and "Traceback" not in result.stderr


def test_postmortem_file_name_is_safe() -> None:
    assert postmortem.filename("bond-failover", "Ana María / ops") == "bond-failover-postmortem-Ana-Mar-a-ops.md"
    assert postmortem.filename("bond-failover", "") == "bond-failover-postmortem-anonymous.md"
