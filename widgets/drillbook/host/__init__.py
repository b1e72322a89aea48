"""A simulated Linux host: state from the scenario, output in the real tools' formats."""

from .model import HostState, parse_host

__all__ = ["HostState", "parse_host"]
