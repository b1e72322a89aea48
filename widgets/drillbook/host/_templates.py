"""Named output templates shipped in ``host/templates/``, found by name.

Fixed-layout outputs (``ethtool``, ``/proc/net/bonding``) are ``string.Template`` files so their
exact whitespace (ethtool's TABs) lives in data, not in Python literals. Short messages are
``key = template`` catalogues filled with :meth:`str.format` (``\\n`` in a value starts a new
line); only our templates are format
strings, values from a scenario are only ever substituted into them.
"""

from __future__ import annotations

import string
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def text(name: str) -> str:
    """The raw text of ``templates/<name>.txt``."""
    return (resources.files("drillbook.host") / "templates" / f"{name}.txt").read_text(encoding="utf-8")


def fill(template: str, /, **values: object) -> str:
    """A layout template with every ``$field`` substituted (a missing field is a bug: KeyError)."""
    return string.Template(text(template)).substitute({k: str(v) for k, v in values.items()})


@lru_cache(maxsize=None)
def catalogue(name: str) -> dict[str, str]:
    """A ``key = template`` file as a dict; ``#`` lines are comments."""
    entries: dict[str, str] = {}
    for line in text(name).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition(" = ")
        if not sep:
            raise ValueError(f"templates/{name}.txt: line without ' = ': {line!r}")
        entries[key.strip()] = value.replace("\\n", "\n")
    return entries


def message(name: str, key: str, /, **values: object) -> str:
    """One catalogue entry, formatted."""
    return catalogue(name)[key].format(**values)


def kmsg(key: str, /, **values: object) -> str:
    """A kernel log line from ``kernel-messages.txt``."""
    return message("kernel-messages", key, **values)


def tool(key: str, /, **values: object) -> str:
    """A tool message from ``tools.txt``."""
    return message("tools", key, **values)
