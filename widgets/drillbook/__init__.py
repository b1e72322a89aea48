"""drillbook: incident replays for on-call engineers, as a Jupyter course.

The public names below are imported lazily (PEP 562): every course page's first cell imports
``drillbook.ui.nav``, and loading the engine, the scenario model and the simulated host just to
draw a navigation bar cost the welcome page and the primers ~50 ms of kernel time per page load
(see benchmarks/RESULTS.md). ``from drillbook import Engine`` still works as before.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS = {
    "Engine": "engine",
    "play": "engine",
    "DrillbookError": "errors",
    "ScenarioError": "errors",
    "UnknownIdError": "errors",
    "Scenario": "model",
    "load_scenario": "scenario",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:
    from .engine import Engine, play
    from .errors import DrillbookError, ScenarioError, UnknownIdError
    from .model import Scenario
    from .scenario import load_scenario


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'drillbook' has no attribute '{name}'")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
