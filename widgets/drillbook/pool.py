"""How many preheated kernels ``./run serve`` keeps warm for each notebook.

Without a pool every page view starts a kernel and executes its notebook while the learner
waits, and a class opening the replay at once queues all of that on the server's cores. Voila's
preheated pools (``VoilaConfiguration.preheat_kernel``) start kernels and run the notebooks
*before* anyone asks; a request takes a warm kernel and only what follows
:func:`drillbook.query.page_query` still runs while it waits. Every page is built whole for
nobody in particular and waits in its footer (its last cell); what depends on the learner (the
links' ``?name=&group=``, the visit, whose run to resume, ``?path=``) is applied when the
request arrives (:func:`drillbook.query.serve_request`).
A kernel handed to a learner is refilled ``fill_delay`` seconds later, is an ordinary kernel
from then on and is culled like one; warm kernels waiting in the pool are never culled.

Each warm kernel costs memory (about 101 MiB RSS for the replay, 116 MiB for a primer with its
consoles and quizzes built, on this project's benchmark machine: benchmarks/RESULTS.md), so the
pool is sized for the audience:

* default (one learner or a few): one warm kernel per notebook;
* ``--class-size N``: N for the replay, which the whole class opens at the same moment, and a
  few for every other notebook (learners drift through those at their own pace);
* ``--class-size 0``: no pool at all, a kernel per request as plain Voila does.

The branch atlas (every path played through the widgets, the instructor's answer key) is never
preheated: it is the heaviest page and the rarest.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
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


#: Cell tag of the notebook cell that waits for the page's request (:func:`drillbook.query.serve_request`),
#: every page's footer: in a warm kernel it waits there for a learner, for minutes or hours.
WAITS_TAG = "waits-for-request"


def cell_timeout(cell: Any, timeout: int | None) -> int | None:
    """``VoilaExecutor.timeout_func``: no time limit for a cell that waits for a request.

    ``voila.json``'s ``VoilaExecutor.timeout`` guards learners against a cell that never ends,
    but a warm kernel's footer cell *should* wait until a learner arrives; with that limit
    every warm kernel turned into an error page after two minutes.
    """
    tags = cell.get("metadata", {}).get("tags", []) if hasattr(cell, "get") else []
    return None if WAITS_TAG in tags else timeout


def _started(task: "asyncio.Future[Any]") -> bool:
    """A pool entry whose kernel has started (its notebook is running or waiting for a learner),
    as opposed to a refill still sitting out Voila's ``fill_delay`` or one that failed."""
    return task.done() and not task.cancelled() and task.exception() is None


def course_kernel_manager(voila_class: type) -> type:
    """Voila's pooled kernel manager, changed for a class that outnumbers its pool.

    Voila counts a refill that is still waiting out its ``fill_delay`` as a pool kernel, and a
    request that takes one waits for the delay, then for the kernel to start: with ``--class-size
    30`` and 100 learners, the 70 beyond the pool all waited 15 s doing nothing and then started
    70 kernels at once, on top of the 30 refills. Here only started kernels count: a learner
    beyond the pool gets a kernel started for them (as without a pool, through :data:`STARTS`),
    warm kernels are handed out before half-started ones, and a refill waits until no learner
    is waiting for a kernel.
    """

    class CourseKernelManager(voila_class):  # type: ignore[misc]
        async def _initialize(self, notebook_path: str, kernel_id: str | None = None, **kwargs: Any) -> Any:
            if kernel_id is None:  # a new warm kernel (not a restart): after the learners waiting
                await STARTS.quiet()
            return await super()._initialize(notebook_path, kernel_id, **kwargs)

        def get_pool_size(self, notebook_name: str) -> int:
            return sum(_started(task) for task in self._pools.get(notebook_name, ()))

        async def get_rendered_notebook(self, notebook_name: str, *args: Any, **kwargs: Any) -> Any:
            self._pools.get(notebook_name, []).sort(key=lambda task: not _started(task))
            return await super().get_rendered_notebook(notebook_name, *args, **kwargs)

    CourseKernelManager.__name__ = CourseKernelManager.__qualname__ = voila_class.__name__
    return CourseKernelManager


def with_course_pools(factory: Callable[..., type]) -> Callable[..., type]:
    """Wrap ``voila.voila_kernel_manager.voila_kernel_manager_factory`` (the one place Voila
    builds its kernel manager class) so that a preheating server uses :func:`course_kernel_manager`."""

    def build(base_class: type, preheat_kernel: bool, *args: Any, **kwargs: Any) -> type:
        made = factory(base_class, preheat_kernel, *args, **kwargs)
        return course_kernel_manager(made) if preheat_kernel else made

    return build


class KernelStarts:
    """Pages that start a kernel of their own run a few at a time; the rest queue.

    Starting a kernel and executing the replay costs about 3.7 CPU-seconds (benchmarks/RESULTS.md).
    A hundred learners beyond a pool of 30 started 70 of them at once on 2 cores: every one
    crawled, the Voila server (one process among 70 busy ones) could hardly answer, and pages
    failed on Voila's 60 s kernel start-up limit. Queued, each page is served at the machine's
    full speed in turn, and pool refills wait until the queue is empty (:meth:`quiet`).
    """

    def __init__(self, at_once: int) -> None:
        self.at_once = at_once
        self.busy = 0  #: pages waiting for a slot or holding one
        self._slots: asyncio.Semaphore | None = None
        self._idle: asyncio.Event | None = None

    def _parts(self) -> tuple[asyncio.Semaphore, asyncio.Event]:
        if self._slots is None or self._idle is None:  # made in the server's event loop
            self._slots, self._idle = asyncio.Semaphore(self.at_once), asyncio.Event()
            self._idle.set()
        return self._slots, self._idle

    @contextlib.asynccontextmanager
    async def page(self) -> AsyncIterator[None]:
        """Hold one of the slots while a page starts its kernel and runs its notebook."""
        slots, idle = self._parts()
        self.busy += 1
        idle.clear()
        try:
            async with slots:
                yield
        finally:
            self.busy -= 1
            if self.busy == 0:
                idle.set()

    async def quiet(self) -> None:
        """Return once no page is waiting for or starting a kernel."""
        await self._parts()[1].wait()


#: One per server process: the render handler (``drillbook.serve_handlers``) and the pool share it.
STARTS = KernelStarts(at_once=max(2, os.cpu_count() or 2))
