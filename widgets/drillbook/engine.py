"""The replay as a pure state machine: rounds, choices, the simulated clock and the SLA.
No widgets, no I/O, no YAML and no simulator, so every path can be walked in tests in
milliseconds (``tests/test_engine.py`` checks what importing it loads).

Views call :meth:`Engine.choose`, :meth:`Engine.complete_action` and :meth:`Engine.spend`,
then re-read :attr:`Engine.state`; they never compute anything the damage report
(:mod:`drillbook.report`, a function of the scenario and :class:`ReplayState`) relies on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from .errors import ReplayError, UnknownIdError
from .model import END, Action, Choice, ChoiceAt, Round, Scenario
from .replay_codes import parse_code

__all__ = ["ConsoleCommand", "Engine", "Outcome", "ReplayError", "ReplayState", "SlaLevel", "Step", "downtime",
           "play", "sla_level"]

#: How much of the SLA's downtime budget is used: the clock's colour and its announcements.
SlaLevel = Literal["ok", "warn", "breached"]


def sla_level(downtime_minutes: int, sla_minutes: int) -> SlaLevel:
    """The SLA rule: ``breached`` past the budget, ``warn`` once 80 % of it is used."""
    if downtime_minutes > sla_minutes:
        return "breached"
    if downtime_minutes * 5 >= sla_minutes * 4:
        return "warn"
    return "ok"


@dataclass(frozen=True)
class Step(ChoiceAt):
    """One choice taken, as it appears in the path map, the damage report and the host's
    timeline (which replays the effects of the steps that moved on, and only those)."""

    elapsed_after: int  #: minutes on the simulated clock after this step
    moved_on: bool  #: the choice left its round (:attr:`Choice.moves_on`)
    effects: tuple[tuple[str, Any], ...]  #: the choice's host changes


@dataclass(frozen=True)
class Outcome:
    """What the learner sees after a choice."""

    round: Round
    choice: Choice
    elapsed_minutes: int
    now: dt.datetime
    downtime_minutes: int
    sla_breached: bool
    next_round: Round | None  #: the round now shown; None once the replay has finished
    stayed: bool  #: the learner is still in the same round and should try again
    finished: bool


@dataclass(frozen=True)
class ReplayState:
    """A snapshot for views: everything needed to draw the clock, the card and the path."""

    round: Round | None  #: None once finished
    tried: tuple[str, ...]  #: keys already tried in the current round, in order
    steps: tuple[Step, ...]
    completed_actions: tuple[str, ...]
    elapsed_minutes: int
    console_minutes: int
    now: dt.datetime
    downtime_minutes: int
    sla_minutes: int
    sla_breached: bool
    finished: bool
    path_code: str
    last: Outcome | None

    @property
    def sla_level(self) -> SlaLevel:
        return sla_level(self.downtime_minutes, self.sla_minutes)


@dataclass(frozen=True)
class ConsoleCommand:
    """What a command typed in a remediation round's console counted for."""

    action: Action | None  #: the pending action whose command it was (None: just investigating)
    verified: bool  #: the action's output showed its ``expect`` text, so the action is done
    minutes: int  #: what went on the clock: the action's own minutes when verified, else the console's


def downtime(scenario: Scenario, elapsed: int, outage: int) -> int:
    """User-facing downtime: already down before the alert, then until failover covered the
    gap (or now, if earlier), plus whatever harmful choices added."""
    damage = scenario.damage
    return damage.downtime_before_alert + min(elapsed, damage.covered_after_minutes) + outage


class Engine:
    """One learner's replay of one scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.restart()

    # -- events ----------------------------------------------------------------------------
    def restart(self) -> None:
        self._round: Round | None = self.scenario.first_round
        self._tried: list[str] = []
        self._steps: list[Step] = []
        self._actions: list[str] = []
        self._elapsed = 0
        self._console = 0
        self._outage = 0
        self._last: Outcome | None = None
        self._outcomes: list[Outcome] = []

    def choose(self, key: str) -> Outcome:
        """Take choice ``key`` (A-D) in the current round."""
        rnd = self._require_round("decision")
        key = key.strip().upper() if isinstance(key, str) else key
        try:
            choice = rnd.choice(key)
        except KeyError:
            keys = ", ".join(c.key for c in rnd.choices)
            raise UnknownIdError(f"round {rnd.number} has no choice '{key}' (choices: {keys})") from None
        if key in self._tried:
            raise ReplayError(f"choice {key} was already tried in round {rnd.number}; pick another")
        self._elapsed += choice.minutes
        self._outage += choice.outage_minutes
        self._steps.append(Step(**ChoiceAt.fields(rnd, choice), elapsed_after=self._elapsed,
                                moved_on=choice.moves_on, effects=choice.effects))
        stayed = not choice.moves_on
        if stayed:
            self._tried.append(key)
        elif choice.next == END:
            self._round = None
        else:
            self._round = self.scenario.round(choice.next)
            self._tried = []
        self._last = Outcome(
            round=rnd, choice=choice, elapsed_minutes=self._elapsed, now=self.now,
            downtime_minutes=self.downtime_minutes, sla_breached=self.sla_breached,
            next_round=self._round, stayed=stayed, finished=self._round is None,
        )
        self._outcomes.append(self._last)
        return self._last

    def complete_action(self, action_id: str) -> Action:
        """Tick off a remediation action, charging its minutes once."""
        rnd = self._require_round("remediation")
        action = next((a for a in rnd.actions if a.id == action_id), None)
        if action is None:
            known = ", ".join(a.id for a in rnd.actions)
            raise UnknownIdError(f"round {rnd.number} has no action '{action_id}' (actions: {known})")
        if action_id not in self._actions:
            self._actions.append(action_id)
            self._elapsed += action.minutes
        if len(self._actions) == len(rnd.actions):
            self._round = None
        return action

    def console_command(self, line: str, output: str, console_minutes: int) -> ConsoleCommand:
        """Account for a command run in the remediation round's console.

        A pending action's command whose output shows the action's ``expect`` text completes
        the action and costs the action's minutes instead of the console's per-command cost
        (so the optimal path stays the scenario's optimal time). Any other command, or an
        action's command whose output does not show the expected state yet, costs console time.
        """
        rnd = self._require_round("remediation")
        action = next((a for a in rnd.actions if a.id not in self._actions and a.performed_by(line)), None)
        if action is not None and (not action.expect or action.expect in output):
            self.complete_action(action.id)
            return ConsoleCommand(action, True, action.minutes)
        self.spend(console_minutes)
        return ConsoleCommand(action, False, console_minutes)

    def close_incident(self) -> None:
        """End the remediation round now; unticked actions show up as missed."""
        self._require_round("remediation")
        self._round = None

    def spend(self, minutes: int) -> None:
        """Charge investigation time (console commands) to the simulated clock."""
        if minutes < 0:
            raise ReplayError("time only moves forward")
        if self._round is not None:
            self._elapsed += minutes
            self._console += minutes

    def replay(self, code: str, *, until_round: int | None = None, open_round: bool = False,
               remediate: bool = False) -> None:
        """Restart and take the path of a replay code such as ``B-A-A`` or ``AB-DA-A``, all or
        nothing: the path is played on a fresh engine and adopted only if every step of it was
        accepted, so a bad code leaves this replay exactly as it was.

        ``until_round`` stops when the path arrives at that round (by its number, not after
        ``until_round - 1`` groups: a path may jump over rounds); ``open_round`` lets the last
        group leave the learner mid-round (a saved run that stopped between tries);
        ``remediate`` ticks every remediation action at the end (the run's end state, damage
        report ready).
        """
        probe = Engine(self.scenario)
        groups = parse_code(code)
        for index, group in enumerate(groups):
            rnd = probe._round
            if until_round is not None and rnd is not None and rnd.number == until_round:
                break
            if rnd is None or rnd.kind != "decision":
                raise UnknownIdError(f"replay code '{code}' is longer than the scenario's decisions")
            for key in group:
                if probe._round is None or probe._round.kind != "decision":
                    raise UnknownIdError(f"replay code '{code}' is longer than the scenario's decisions")
                if probe._round is not rnd:
                    raise UnknownIdError(
                        f"replay code '{code}': choice {key} comes after round {rnd.number} was already left; "
                        "start a new group with '-'"
                    )
                probe.choose(key)
            last = index == len(groups) - 1
            if probe._round is rnd and not (open_round and last):
                raise UnknownIdError(
                    f"replay code '{code}': group '{group}' leaves you in round {rnd.number}; "
                    "end each group with the choice that moves on"
                )
        end = probe._round
        if until_round is not None and (end is None or end.number != until_round):
            raise ReplayError(f"replay code '{code}' does not reach round {until_round}")
        if remediate and end is not None and end.kind == "remediation":
            for action in end.actions:
                probe.complete_action(action.id)
        self.__dict__.update(vars(probe))  # adopt the probe's state wholesale

    def replay_to_round(self, number: int) -> None:
        """Restart and re-take this run's path up to the start of round ``number``.

        A run has reached the first round and every round a choice led it to (a finished
        run's remediation round too, though it has no steps); counting groups would be wrong,
        since a choice may jump over rounds (``next`` may name any later round).
        """
        if not 1 <= number <= len(self.scenario.rounds):
            raise UnknownIdError(f"there is no round {number} (rounds 1-{len(self.scenario.rounds)})")
        reached = {self.scenario.first_round.number}
        reached.update(o.next_round.number for o in self._outcomes if o.next_round is not None)
        if number not in reached:
            raise ReplayError(f"this run has not reached round {number} yet")
        self.replay(self.path_code, until_round=number)

    # -- reading ---------------------------------------------------------------------------
    def _require_round(self, kind: str) -> Round:
        if self._round is None:
            raise ReplayError("the replay has finished; restart it to play again")
        if self._round.kind != kind:
            raise ReplayError(f"round {self._round.number} is a {self._round.kind} round")
        return self._round

    @property
    def current_round(self) -> Round | None:
        return self._round

    @property
    def finished(self) -> bool:
        return self._round is None

    @property
    def elapsed_minutes(self) -> int:
        return self._elapsed

    @property
    def now(self) -> dt.datetime:
        return self.scenario.clock.start + dt.timedelta(minutes=self._elapsed)

    @property
    def downtime_minutes(self) -> int:
        return downtime(self.scenario, self._elapsed, self._outage)

    @property
    def sla_breached(self) -> bool:
        return sla_level(self.downtime_minutes, self.scenario.clock.sla_minutes) == "breached"

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(self._steps)

    @property
    def path_code(self) -> str:
        groups: list[str] = []
        current = None
        for step in self._steps:
            if step.round_id != current:
                groups.append("")
                current = step.round_id
            groups[-1] += step.key
        return "-".join(groups)

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        """Every outcome of this run, in order (a view rebuilds its transcript from them)."""
        return tuple(self._outcomes)

    @property
    def state(self) -> ReplayState:
        return ReplayState(
            round=self._round, tried=tuple(self._tried), steps=self.steps,
            completed_actions=tuple(self._actions), elapsed_minutes=self._elapsed,
            console_minutes=self._console, now=self.now, downtime_minutes=self.downtime_minutes,
            sla_minutes=self.scenario.clock.sla_minutes, sla_breached=self.sla_breached,
            finished=self.finished, path_code=self.path_code, last=self._last,
        )


def play(scenario: Scenario, code: str, *, remediate: bool = True) -> Engine:
    """Play a replay code to its end (ticking every remediation action) and return the engine."""
    engine = Engine(scenario)
    engine.replay(code, remediate=remediate)
    return engine

