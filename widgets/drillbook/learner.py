"""What one learner has done across the course, for the welcome page: primers visited, quiz
scores (best and last), replays finished and the best time against the optimal.

Read from the store for one (group, name); pure data, drawn by ``ui/welcome.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .course import Course
from .model import Scenario
from .quiz import Quiz
from .replay_codes import summarize
from .store import Store


@dataclass(frozen=True)
class PageVisit:
    file: str
    title: str
    visits: int


@dataclass(frozen=True)
class QuizScore:
    quiz_id: str
    title: str
    total: int
    attempts: int
    best: int | None  #: None: never finished an attempt
    last: int | None


@dataclass(frozen=True)
class ReplayRecord:
    scenario_id: str
    title: str
    optimal_minutes: int
    best_minutes: int | None  #: None: never finished


@dataclass(frozen=True)
class LearnerProgress:
    primers: tuple[PageVisit, ...]
    quizzes: tuple[QuizScore, ...]
    replays: tuple[ReplayRecord, ...]

    @property
    def primers_visited(self) -> int:
        return sum(p.visits > 0 for p in self.primers)

    @property
    def replays_finished(self) -> int:
        return sum(r.best_minutes is not None for r in self.replays)


def learner_progress(store: Store | None, *, group: str, name: str, course: Course,
                     quizzes: Sequence[Quiz], scenarios: Sequence[Scenario]) -> LearnerProgress:
    """``store=None``: nothing saved yet (everything at zero)."""
    visits = store.visits(group=group, learner=name) if store else {}
    attempts = store.quiz_attempts(group=group, learner=name) if store else []
    finished = store.finished_runs(group=group, learner=name) if store else {}
    primers = tuple(PageVisit(e.file, e.title, visits.get(e.file, 0)) for e in course.entries if e.part == "Primer")
    scores = []
    for quiz in quizzes:
        mine = [a.score for a in attempts if a.quiz_id == quiz.id]
        scores.append(QuizScore(quiz.id, quiz.title, len(quiz.questions), len(mine),
                                max(mine) if mine else None, mine[-1] if mine else None))
    replays = tuple(ReplayRecord(s.id, s.title, summarize(s).optimal_minutes, finished.get(s.id)) for s in scenarios)
    return LearnerProgress(primers, tuple(scores), replays)
