"""How many preheated kernels ``./run serve`` keeps warm for each notebook.

Without a pool every page view starts a kernel and executes its notebook while the learner
waits, and a class opening the replay at once queues all of that on the server's cores. Voila's
preheated pools (``VoilaConfiguration.preheat_kernel``) start kernels and run the notebooks
*before* anyone asks; a request takes a warm kernel and only what follows
:func:`drillbook.query.page_query` still runs while it waits. Every page's header reads the
query (its links carry ``?name=&group=``, and it records the visit), so a warm kernel has
started and imported the header; the rest of the page runs once the learner arrives.
A kernel handed to a learner is refilled ``fill_delay`` seconds later, is an ordinary kernel
from then on and is culled like one; warm kernels waiting in the pool are never culled.

Each warm kernel costs memory (about 75 MB RSS for the replay on this project's benchmark
machine: benchmarks/RESULTS.md), so the pool is sized for the audience:

* default (one learner or a few): one warm kernel per notebook;
* ``--class-size N``: N for the replay, which the whole class opens at the same moment, and a
  few for every other notebook (learners drift through those at their own pace);
* ``--class-size 0``: no pool at all, a kernel per request as plain Voila does.

The branch atlas (every path played through the widgets, the instructor's answer key) is never
preheated: it is the heaviest page and the rarest.
"""

from __future__ import annotations

from typing import Any

REPLAY = "incident-replay.ipynb"
NOT_PREHEATED = ("branch-atlas.ipynb",)
#: Warm kernels for each notebook other than the replay, at most.
MAX_OTHER = 3
#: Seconds before a kernel handed out is replaced: Voila's default for a learner or two. A class
#: arrives within seconds, and starting one replacement per learner during that burst starves the
#: learners' own kernels (benchmarks/RESULTS.md: 10 learners on a pool of 10 waited 17 s at p95
#: with a 1 s delay, on 2 cores); so with ``--class-size`` the pool refills after the burst.
FILL_DELAY = 1.0
CLASS_FILL_DELAY = 15.0


def pool_sizes(class_size: int | None) -> dict[str, int]:
    """``{"incident-replay.ipynb": n, "default": m}``; empty when no pool is wanted."""
    if class_size is not None and class_size <= 0:
        return {}
    replay = 1 if class_size is None else class_size
    other = 1 if class_size is None else min(MAX_OTHER, max(1, -(-class_size // 10)))
    return {REPLAY: replay, "default": other}


def voila_options(class_size: int | None) -> list[str]:
    """The Voila command-line options that set the pool up (none for ``class_size <= 0``).

    The replay's own pool size travels as ``--CourseVoila.replay_pool_size`` because traitlets
    takes no nested dictionary (``kernel_pools_config``) on a command line; the app class turns
    it into one with :func:`kernel_pools_config`. Preheating cannot be combined with
    ``progressive_rendering`` or a ``prelaunch_hook``: Voila refuses to start, so neither may
    be turned on in ``voila.json``.
    """
    sizes = pool_sizes(class_size)
    if not sizes:
        return []
    return [
        "--VoilaConfiguration.preheat_kernel=True",
        f"--VoilaConfiguration.default_pool_size={sizes['default']}",
        f"--CourseVoila.replay_pool_size={sizes[REPLAY]}",
        *(f"--VoilaKernelManager.preheat_denylist={name}" for name in NOT_PREHEATED),
        f"--VoilaKernelManager.fill_delay={FILL_DELAY if class_size is None else CLASS_FILL_DELAY}",
    ]


def kernel_pools_config(replay: int, default: int) -> dict[str, dict[str, int]]:
    """``VoilaKernelManager.kernel_pools_config``: the replay's pool, and every other notebook's."""
    return {REPLAY: {"pool_size": replay}, "default": {"pool_size": default}}


def warm_kernel_count(class_size: int | None, notebooks: int) -> int:
    """How many kernels the pool holds for a course of ``notebooks`` notebooks."""
    sizes = pool_sizes(class_size)
    if not sizes:
        return 0
    others = notebooks - 1 - len(NOT_PREHEATED)
    return sizes[REPLAY] + others * sizes["default"]


#: Cell tag of the first notebook cell that reads the page's query (:func:`drillbook.query.page_query`),
#: every page's header: in a warm kernel it waits there for a learner, for minutes or hours.
WAITS_TAG = "waits-for-request"


def cell_timeout(cell: Any, timeout: int | None) -> int | None:
    """``VoilaExecutor.timeout_func``: no time limit for a cell that waits for a request.

    ``voila.json``'s ``VoilaExecutor.timeout`` guards learners against a cell that never ends,
    but a warm kernel's header cell *should* wait until a learner arrives; with that limit
    every warm kernel turned into an error page after two minutes.
    """
    tags = cell.get("metadata", {}).get("tags", []) if hasattr(cell, "get") else []
    return None if WAITS_TAG in tags else timeout
