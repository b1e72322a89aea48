"""The CLI given the odd input a careless user or an attacker types: every answer is one line on
stderr with exit status 1, never a traceback, a hang or an unbounded read. Real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from drillbook import _yaml
from drillbook.errors import ScenarioError
from drillbook.store import Store

from .conftest import REPO

LONG_NAME = "x" * 300


def drillbook(*args: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # a timeout: without the fixes some of these would hang (a FIFO) or read forever (/dev/zero)
    return subprocess.run([sys.executable, "-m", "drillbook", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=120, env=env)


def assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert expected in first, result.stderr
    assert result.stderr.count("\n") <= 2, result.stderr  # validate adds its "1 of 1" summary line


@pytest.mark.parametrize("command", [["play", LONG_NAME, "B-A-A"], ["paths", LONG_NAME], ["notes", LONG_NAME]])
def test_300_character_scenario_name_is_an_unknown_scenario(command: list[str]) -> None:
    result = drillbook(*command)
    assert_one_line_error(result, "drillbook: no scenario '" + "x" * 80 + "…' (known: ")
    assert "bond-failover" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("name", [LONG_NAME, LONG_NAME + ".yaml"])
def test_validate_300_character_name(name: str) -> None:
    result = drillbook("validate", name)
    assert_one_line_error(result, f"{name}: cannot read the file (File name too long)")


def test_validate_refuses_a_fifo_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    result = drillbook("validate", str(fifo))
    assert_one_line_error(result, f"{fifo}: cannot read the file (it is a FIFO, not a regular file)")


@pytest.mark.parametrize("device, kind", [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
def test_validate_refuses_devices(device: str, kind: str) -> None:
    result = drillbook("validate", device)
    assert_one_line_error(result, f"{device}: cannot read the file (it is {kind}, not a regular file)")


def test_validate_refuses_a_folder_given_as_a_scenario_file(tmp_path: Path) -> None:
    folder = tmp_path / "looks-like.yaml"
    folder.mkdir()
    with pytest.raises(ScenarioError) as caught:
        _yaml.load_file(folder)
    assert caught.value.format_message() == f"{folder}: cannot read the file (it is a folder, not a regular file)"


def test_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    sparse = tmp_path / "huge.yaml"
    with sparse.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # 64 MiB of holes: costs no disk, would cost memory to read
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError) as caught:
            _yaml.load_file(sparse)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.format_message() == (f"{sparse}:1: the file is 67,108,864 bytes; "
                                             f"scenarios are limited to {_yaml.MAX_FILE_BYTES:,}")
    assert peak < 4 * 1024 * 1024  # the size came from fstat, not from reading the file


def _db_with_a_note(tmp_path: Path) -> Path:
    db = tmp_path / "notes.sqlite3"
    store = Store(db)
    store.add_note("bond-failover", "triage", "check ethtool -i first", group="blue team", author="ana")
    store.close()
    return db


def test_group_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    db = _db_with_a_note(tmp_path)
    result = drillbook("notes", "bond-failover", "--db", str(db), "--group", b"\xff\xfe")
    assert_one_line_error(result, "drillbook: the group name is not valid UTF-8 text")
    assert result.stderr.count("\n") == 1


def test_group_is_stripped_like_stored_names(tmp_path: Path) -> None:
    db = _db_with_a_note(tmp_path)
    result = drillbook("notes", "bond-failover", "--db", str(db), "--group", " blue team ")
    assert result.returncode == 0, result.stderr
    assert "(ana): check ethtool -i first" in result.stdout


@pytest.mark.parametrize("code, shown", [("B\nA", "B^JA"), ("B-A-A\r\nrm -rf /", "B-A-A^M^Jrm -rf /"),
                                         ("B\x1b[31mA", "B^[[31mA")])
def test_replay_code_with_control_characters_is_one_line(code: str, shown: str) -> None:
    result = drillbook("play", "bond-failover", code)
    assert_one_line_error(result, f"drillbook: '{shown}' is not a replay code")
    assert result.stderr.count("\n") == 1
