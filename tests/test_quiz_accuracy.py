"""Issue 15: quizzes and primers agree with each other and with the simulator.

Every quiz answer that depends on what a host prints is checked against the simulator's own
output: ``output`` questions against the text the question shows, the others against a host
driven to the situation they describe. A quiz or primer that shows one of the seed's stylised
facts must say so (a pointer to the debrief's Reality check).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable

import pytest

from drillbook.engine import Engine
from drillbook.host import host_for, kernel
from drillbook.host.shell import Shell
from drillbook.quiz import Question, load_quiz, quiz_dir, render_output
from drillbook.scenario import load_scenario, scenario_dir

from .conftest import REPO
from .test_host_states import scenario, state_named

QUIZZES = sorted(p.stem for p in quiz_dir().glob("*.yaml"))
REALITY = "Reality check"


def questions() -> list[tuple[str, Question]]:
    return [(qid, q) for qid in QUIZZES for q in load_quiz(qid).questions]


def whys(question: Question) -> str:
    return " ".join(o.why for o in question.options)


def correct(question: Question) -> str:
    return " ".join(o.text + " " + o.why for o in question.options if o.correct)


def field(text: str, name: str) -> str:
    match = re.search(rf"^\s*{re.escape(name)}: ?(.*)$", text, re.M)
    assert match, f"no '{name}' in output"
    return match.group(1)


def slave_block(proc: str, name: str) -> str:
    return proc.split(f"Slave Interface: {name}\n", 1)[1].split("\n\n", 1)[0]


def real_host() -> Shell:
    """The seed's host at the alert with eth1's fault told as a real kernel shows it."""
    sc = copy.deepcopy(scenario())
    assert sc.host is not None
    sc.host.interfaces["eth1"].story_mii_down = False
    return Shell(host_for(Engine(sc)))


BASELINE = "0x800003de"


def _firmware_drift(out: str, q: Question) -> None:
    assert field(out, "firmware-version") != BASELINE
    eth0 = Shell(state_named("start")).run("ethtool -i eth0").output
    assert field(eth0, "firmware-version") == BASELINE
    assert field(out, "version") == field(eth0, "version") == "6.8.0-51-generic"  # same in-tree driver
    assert field(out, "driver") == "ixgbe"
    for bus in (field(out, "bus-info"), field(eth0, "bus-info")):
        assert f"`{bus}`" in whys(q) or q.id == "drift-check"


def _read_proc(out: str, q: Question) -> None:
    assert "Bonding Mode: fault-tolerance (active-backup)" in out
    assert "Currently Active Slave: None" in out
    for name in ("eth0", "eth1"):
        assert slave_block(out, name).startswith("MII Status: down")


def _link_detected(out: str, q: Question) -> None:
    assert "\tLink detected: yes" in out and "\tSpeed: 10000Mb/s" in out
    no_cable = Shell(state_named("start")).run("ethtool eth0").output  # switch A gone: no carrier
    assert "\tSpeed: Unknown!" in no_cable and "\tLink detected: no" in no_cable
    assert "`Speed: Unknown!`" in whys(q) and "`Link detected: no`" in whys(q)


def _no_carrier(out: str, q: Question) -> None:
    eth0 = next(line for line in out.splitlines() if line.startswith("eth0 "))
    assert "<NO-CARRIER,BROADCAST,MULTICAST,SLAVE,UP>" in eth0
    shell = Shell(state_named("start"))
    shell.run("ip link set eth0 down")
    admin_down = next(line for line in shell.run("ip -br link").output.splitlines() if line.startswith("eth0 "))
    assert "<BROADCAST,MULTICAST,SLAVE>" in admin_down and "`<BROADCAST,MULTICAST,SLAVE>`" in whys(q)
    macs = {line.split()[2] for line in out.splitlines() if line.split()[0] in ("eth0", "eth1", "bond0")}
    assert len(macs) == 1  # fail_over_mac none: every slave wears bond0's MAC


#: every ``output`` question: what its answers rely on, checked on the text it shows
OUTPUT_CHECKS: dict[tuple[str, str], Callable[[str, Question], None]] = {
    ("datacenter-hardware", "eth1-firmware"): _firmware_drift,
    ("footguns-networking", "drift-check"): _firmware_drift,
    ("lacp-bonding", "read-proc"): _read_proc,
    ("linux-ops", "link-detected"): _link_detected,
    ("linux-ops", "no-carrier"): _no_carrier,
}


def test_every_output_question_is_checked() -> None:
    shown = {(qid, q.id) for qid, q in questions() if q.kind == "output" and q.output and not q.output.text}
    assert shown == set(OUTPUT_CHECKS)


@pytest.mark.parametrize(("quiz_id", "question_id"), sorted(OUTPUT_CHECKS))
def test_output_answers_match_the_simulator(quiz_id: str, question_id: str) -> None:
    question = load_quiz(quiz_id).question(question_id)
    assert question.output is not None
    out = render_output(question.output).split("\n", 1)[1]
    OUTPUT_CHECKS[(quiz_id, question_id)](out, question)


def _stylised(question: Question, out: str) -> bool:
    """Does this output show the seed's stylised facts (MII down with carrier, its firmware line)?"""
    sc = scenario()
    assert sc.host is not None
    for name, iface in sc.host.interfaces.items():
        if iface.story_mii_down and f"Slave Interface: {name}\nMII Status: down" in out:
            return True
    return "firmware mismatch — NIC in degraded mode" in out


@pytest.mark.parametrize(("quiz_id", "question_id"), sorted(OUTPUT_CHECKS))
def test_output_showing_a_stylised_fact_points_to_the_reality_check(quiz_id: str, question_id: str) -> None:
    question = load_quiz(quiz_id).question(question_id)
    assert question.output is not None
    if _stylised(question, render_output(question.output)):
        assert REALITY in correct(question)


# -- answers about behaviour, checked on a host driven there -------------------------------------

def test_miimon_sees_only_carrier_so_dead_but_up_stays_eligible() -> None:
    """lacp `miimon-sees`, footguns `dead-but-up`: MII up, the bond fails over onto it, traffic dies."""
    for qid, q in (("lacp-bonding", "miimon-sees"), ("footguns-networking", "dead-but-up")):
        question = load_quiz(qid).question(q)
        assert "carrier" in correct(question) and REALITY in whys(question)
    shell = real_host()
    proc = shell.run("cat /proc/net/bonding/bond0").output
    assert slave_block(proc, "eth1").startswith("MII Status: up")
    assert "Currently Active Slave: eth1" in proc
    assert "\tLink detected: yes" in shell.run("ethtool eth1").output
    assert "100% packet loss" in shell.run("ping -c 4 10.20.0.1").output
    assert "`MII Status: up`" in load_quiz("footguns-networking").question("dead-but-up").options[0].text


def test_arp_monitoring_marks_a_link_that_is_up_but_dead_down() -> None:
    """lacp `arp-monitor`: the correct answer, on the same NIC miimon calls healthy."""
    assert "marked down" in correct(load_quiz("lacp-bonding").question("arp-monitor"))
    shell = real_host()
    kernel.apply(shell.state, {"bond0.miimon": 0, "bond0.arp_interval": 1000, "bond0.arp_ip_targets": ["10.20.0.1"]})
    proc = shell.run("cat /proc/net/bonding/bond0").output
    assert slave_block(proc, "eth1").startswith("MII Status: down")
    assert "bond0: (slave eth1): link status definitely down, disabling slave" in shell.run("dmesg").output


def test_failback_with_primary() -> None:
    """lacp `failback`: with primary eth0, eth0 is active again as soon as it is up."""
    assert "as soon as it is up" in correct(load_quiz("lacp-bonding").question("failback"))
    shell = Shell(state_named("after-B-A-A"))
    shell.run("ifdown eth0")
    assert "Currently Active Slave: eth1" in shell.run("cat /proc/net/bonding/bond0").output
    shell.run("ifup eth0")
    assert "Currently Active Slave: eth0" in shell.run("cat /proc/net/bonding/bond0").output
    assert "bond0: now running" not in shell.run("dmesg | tail -n 6").output  # carrier stayed up


def test_kernel_log_example_is_the_simulators_line() -> None:
    """linux-ops `kernel-log` quotes the ixgbe line; the simulator prints exactly that."""
    assert "`ixgbe 0000:d8:00.0 eth1: NIC Link is Down`" in correct(load_quiz("linux-ops").question("kernel-log"))
    shell = Shell(state_named("after-B-A-A"))
    kernel.apply(shell.state, {"eth1.carrier": False})
    assert "] ixgbe 0000:d8:00.0 eth1: NIC Link is Down" in shell.run("dmesg | grep eth1").output


# -- the course says the same thing everywhere ----------------------------------------------------

def _passages() -> list[tuple[str, str]]:
    """(where, text) for every quiz text, primer paragraph and scenario explanation."""
    out = []
    for qid, q in questions():
        out.append((f"{qid}/{q.id}", q.prompt))
        out += [(f"{qid}/{q.id}", o.text + " " + o.why) for o in q.options]
    for nb in sorted((REPO / "course").glob("*.ipynb")):
        if nb.name == "branch-atlas.ipynb":
            continue
        for i, cell in enumerate(json.loads(nb.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "markdown":
                out += [(f"{nb.name} cell {i}", p) for p in "".join(cell["source"]).split("\n\n")]
    for path in sorted(scenario_dir().glob("*.yaml")):
        sc = load_scenario(path)
        out += [(f"{sc.id} {r.id}/{c.key}", c.why) for r in sc.rounds for c in r.choices]
    return out


MODE_CHANGE = re.compile(r"\bmode\b[^.]{0,30}\bchang|\bchang\w*\b[^.]{0,20}\bmode\b", re.I)


def test_every_mention_of_a_mode_change_says_down_and_no_slaves() -> None:
    mentions = [(where, text) for where, text in _passages() if MODE_CHANGE.search(text) and re.search(r"\bdown\b", text)]
    assert len(mentions) >= 5  # quizzes, the footguns and LACP primers, round 2 C
    for where, text in mentions:
        assert "slave" in text, f"{where}: a mode change needs the bond down and no slaves: {text!r}"


def test_a_bmc_port_claim_mentions_shared_port_bmcs() -> None:
    for where, text in _passages():
        text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # a figure's alt text describes the figure
        if re.search(r"BMC|baseboard management", text) and re.search(r"own network port|management network", text):
            assert "NC-SI" in text, f"{where}: say that a shared-port (NC-SI) BMC goes dark with the host NIC"


def test_primers_showing_the_seeds_stylised_facts_point_to_the_reality_check() -> None:
    stylised = re.compile(r"firmware mismatch|MII Status: down`? (while|although|even though)|both slaves active", re.I)
    for nb in sorted((REPO / "course").glob("*.ipynb")):
        if nb.name == "branch-atlas.ipynb":
            continue
        for i, cell in enumerate(json.loads(nb.read_text(encoding="utf-8"))["cells"]):
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and stylised.search(text):
                assert REALITY in text, f"{nb.name} cell {i}: {text[:120]!r}"


def test_debrief_reality_check_covers_the_three_stylised_statements() -> None:
    cells = json.loads((REPO / "course" / "debrief.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    section = text.split("## Reality check", 1)[1].split("\n## ", 1)[0]
    for seed_words in ("MII Status: down", "firmware mismatch — NIC in degraded mode", "both slaves active"):
        assert seed_words in section
    for real in ("use_carrier", "Link detected: yes", "Warning firmware error detected FWSM", "backup"):
        assert real in section
    footguns = (REPO / "course" / "footguns-networking.ipynb").read_text(encoding="utf-8")
    assert "debrief.ipynb#Reality-check" in footguns or "Reality check" in footguns
