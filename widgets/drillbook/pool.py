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

Kernels warm a few at a time (:class:`KernelWarmUp`): Voila starts every pool kernel at once, so
``--class-size 30`` ran 54 notebooks side by side for two minutes, and a page asked for meanwhile
(the branch atlas in the test suite) waited behind all of them until Voila gave up on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import os
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
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


#: Seconds a shutdown waits for kernels still starting (jupyter_client's own start timeout).
KERNEL_START_WAIT = 60.0


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


def warm_kernel_count(class_size: int | None, notebooks: Iterable[str]) -> int:
    """How many kernels the pool holds when Voila serves these notebook files.

    Voila preheats every notebook it finds under its root, course entry or not (the branch
    atlas is no entry of the learners' course), except :data:`NOT_PREHEATED` and Jupyter's
    checkpoint copies; so this counts files, not the course's contents.
    """
    sizes = pool_sizes(class_size)
    if not sizes:
        return 0
    preheated = {path for path in map(str, notebooks)
                 if ".ipynb_checkpoints" not in path and Path(path).name not in NOT_PREHEATED}
    return sum(sizes[REPLAY] if Path(path).name == REPLAY else sizes["default"] for path in preheated)


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


def _built(task: "asyncio.Future[Any]") -> bool:
    """A pool entry whose kernel started and built its page (it waits in the footer, or ended)."""
    return task.done() and not task.cancelled() and task.exception() is None


def course_kernel_manager(voila_class: type) -> type:
    """Voila's pooled kernel manager, changed for a class that outnumbers its pool.

    Voila counts a refill that is still waiting out its ``fill_delay`` as a pool kernel, and a
    request that takes one waits for the delay, then for the kernel to start: with ``--class-size
    30`` and 100 learners, the 70 beyond the pool all waited 15 s doing nothing and then started
    70 kernels at once, on top of the 30 refills. Here only started kernels count: a learner
    beyond the pool gets a kernel started for them (as without a pool, through :data:`STARTS`),
    warm kernels are handed out before half-started ones, and a refill waits until no learner
    is waiting for a kernel. New pool kernels warm a few at a time (:class:`KernelWarmUp`); one
    counts as the pool's once its kernel is starting, and built pages are handed out first.
    """

    class CourseKernelManager(voila_class):  # type: ignore[misc]
        _course_warm_up: KernelWarmUp | None = None

        def _ready(self, task: "asyncio.Future[Any]") -> int:
            """2: page built; 1: its kernel started and is building the page (nothing a learner
            could be given is further along); 0: queued, sitting out ``fill_delay``, or failed."""
            if _built(task):
                return 2
            return 1 if task in self.warm_up().building else 0

        def warm_up(self) -> KernelWarmUp:
            """This manager's warm-up queue (made on first use, in the server's event loop)."""
            if self._course_warm_up is None:
                self._course_warm_up = KernelWarmUp(at_once=STARTS.at_once)
            return self._course_warm_up

        async def _initialize(self, notebook_path: str, kernel_id: str | None = None, **kwargs: Any) -> Any:
            if kernel_id is not None:  # a restart: Voila re-runs the notebook in the same kernel
                return await super()._initialize(notebook_path, kernel_id, **kwargs)
            warm_up = self.warm_up()
            async with warm_up.turn(notebook_path):  # a new pool kernel: a few at a time, after learners
                await STARTS.quiet()
                warm_up.check_open()
                with warm_up.building_page():
                    content = await super()._initialize(notebook_path, None, **kwargs)
                    if await warm_up.until_built(content["kernel_id"], content["task"]):
                        self._report_warm_pages(warm_up)
                    elif content["task"].done():
                        self.log.warning("Warm pages: %s ended before its page was built (%s)",
                                         notebook_path, content["kernel_id"])
            return content

        def _report_warm_pages(self, warm_up: KernelWarmUp) -> None:
            """Tell whoever runs the server how far the pool is: an instructor starts it before
            the class and needs to know when the class can come in (about 2 minutes for 30)."""
            entries = [task for tasks in self._pools.values() for task in tasks]
            built = sum(task in warm_up.built for task in entries)
            if built >= len(entries):
                self.log.info("Warm pages: all %d built; learners get their pages at once", len(entries))
            else:
                self.log.info("Warm pages: %d of %d built", built, len(entries))

        async def shutdown_all(self, *args: Any, **kwargs: Any) -> Any:
            # Voila awaits every pool entry on the way out: those still queued must not start now
            self.warm_up().close()
            # jupyter_client shuts down kernels still starting too, but Jupyter Server refuses
            # those ("404: Kernel does not exist"), which ended the shutdown of every other kernel
            # with Ctrl+C during warm-up (their processes outlived the server): let starts finish.
            starting = list(getattr(self, "_pending_kernels", {}).values())
            if starting:
                await asyncio.wait(starting, timeout=KERNEL_START_WAIT)
            return await super().shutdown_all(*args, **kwargs)

        def get_pool_size(self, notebook_name: str) -> int:
            return sum(self._ready(task) > 0 for task in self._pools.get(notebook_name, ()))

        async def get_rendered_notebook(self, notebook_name: str, *args: Any, **kwargs: Any) -> Any:
            self._pools.get(notebook_name, []).sort(key=self._ready, reverse=True)
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


class PoolClosed(Exception):
    """A queued pool kernel that will not be started: the server is shutting down."""


class PageFooters:
    """Which warm kernels have built their page: the footer's ``get_query_string()`` opens
    Voila's ``/voila/query/<kernel>`` websocket (``drillbook.serve_handlers`` reports it here),
    and nothing earlier in a notebook does."""

    def __init__(self) -> None:
        self._reached: dict[str, asyncio.Event] = {}

    def expect(self, kernel_id: str) -> asyncio.Event:
        return self._reached.setdefault(kernel_id, asyncio.Event())

    def reached(self, kernel_id: str) -> None:
        if kernel_id in self._reached:  # only kernels being warmed are waited for
            self._reached[kernel_id].set()

    def forget(self, kernel_id: str) -> None:
        self._reached.pop(kernel_id, None)


#: One per server process: the ``/voila/query`` handler reports, the warm-ups wait.
FOOTERS = PageFooters()

#: Seconds a warm-up slot is held at most; a notebook that neither reaches its footer nor ends
#: (a cell stuck past Voila's own cell limit) must not hold the rest of the pool back for ever.
WARM_UP_TIMEOUT = 300.0


class Turns:
    """A semaphore whose waiters go in order of priority (lowest first), then of arrival."""

    def __init__(self, at_once: int) -> None:
        self.free = at_once
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    async def acquire(self, priority: int) -> None:
        if self.free > 0 and not self._waiting:
            self.free -= 1
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (priority, next(self._arrivals), granted)
        heapq.heappush(self._waiting, entry)
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():  # granted just as it was cancelled
                self.release()
            else:
                self._waiting.remove(entry)
                heapq.heapify(self._waiting)
            raise

    def release(self) -> None:
        while self._waiting:
            granted = heapq.heappop(self._waiting)[2]
            if not granted.done():
                granted.set_result(None)
                return
        self.free += 1


class KernelWarmUp:
    """Pool kernels are started a few at a time, each holding its slot until its page is built,
    one of every notebook first.

    Started all at once, 54 notebooks shared 2 cores for two minutes and every one of them was
    warm only at the end; a page that needed a kernel of its own meanwhile waited behind all of
    them (Voila gave up on the branch atlas: "Timeout waiting for IOPub output"). A few at a time,
    warm kernels appear from the first seconds, a page asked for meanwhile shares the cores with
    at most ``at_once`` warm-ups, and the total is no longer (the cores were the limit anyway).
    Every notebook gets its first warm kernel before any gets its second, so whichever page a
    learner opens early is warm soonest.
    """

    def __init__(self, at_once: int, timeout: float = WARM_UP_TIMEOUT, footers: PageFooters | None = None) -> None:
        self.at_once = at_once
        self.timeout = timeout
        self.footers = FOOTERS if footers is None else footers
        #: pool entries (tasks) whose kernel is starting or building its page
        self.building: set[asyncio.Future[Any]] = set()
        #: pool entries whose page was built (reached its footer); handed-out ones drop away
        self.built: weakref.WeakSet[asyncio.Future[Any]] = weakref.WeakSet()
        self._queued: dict[str, int] = {}  #: per notebook: entries queued or warming
        self._turns: Turns | None = None
        self._closing: asyncio.Event | None = None

    def _parts(self) -> tuple[Turns, asyncio.Event]:
        if self._turns is None or self._closing is None:  # made in the server's event loop
            self._turns, self._closing = Turns(self.at_once), asyncio.Event()
        return self._turns, self._closing

    @contextlib.asynccontextmanager
    async def turn(self, notebook: str) -> AsyncIterator[None]:
        """Hold a slot while one of ``notebook``'s pool kernels starts and builds its page."""
        turns, _ = self._parts()
        ahead = self._queued.get(notebook, 0)
        self._queued[notebook] = ahead + 1
        try:
            await turns.acquire(priority=ahead)
            try:
                self.check_open()
                yield
            finally:
                turns.release()
        finally:
            self._queued[notebook] -= 1

    @property
    def warming(self) -> int:
        """Kernels holding a slot now (a slot passed straight to a waiter stays held)."""
        return self.at_once - self._parts()[0].free

    @contextlib.contextmanager
    def building_page(self) -> Iterator[None]:
        """Mark the running pool entry as starting its kernel and building its page: a learner
        who finds no built page takes it rather than a kernel started from nothing."""
        task = asyncio.current_task()
        if task is None:  # not in a task: nothing a learner could be handed
            yield
            return
        self.building.add(task)
        try:
            yield
        finally:
            self.building.discard(task)

    def check_open(self) -> None:
        if self._parts()[1].is_set():
            raise PoolClosed("the server is shutting down: this pool kernel is not started")

    async def until_built(self, kernel_id: str, render: "asyncio.Future[Any]") -> bool:
        """Until ``kernel_id``'s page waits in its footer; ``False`` if its notebook ended
        first (an error page), the time ran out or the server is closing."""
        _, closing = self._parts()
        footer = asyncio.ensure_future(self.footers.expect(kernel_id).wait())
        stop = asyncio.ensure_future(closing.wait())
        try:
            await asyncio.wait({footer, stop, render}, timeout=self.timeout, return_when=asyncio.FIRST_COMPLETED)
            if footer.done() and (task := asyncio.current_task()) is not None:
                self.built.add(task)
            return footer.done()
        finally:
            footer.cancel()
            stop.cancel()
            self.footers.forget(kernel_id)

    def close(self) -> None:
        """Queued warm-ups give up (:class:`PoolClosed`) and running ones stop waiting."""
        self._parts()[1].set()


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
