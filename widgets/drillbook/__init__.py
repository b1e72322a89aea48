"""drillbook: incident replays for on-call engineers, as a Jupyter course."""

from .engine import Engine, play
from .errors import DrillbookError, ScenarioError, UnknownIdError
from .scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = [
    "DrillbookError",
    "Engine",
    "Scenario",
    "ScenarioError",
    "UnknownIdError",
    "__version__",
    "load_scenario",
    "play",
]
