"""``drillbook.pool``'s change to Voila's pooled kernel manager: pool kernels warm a few at a time, a learner beyond the pool is not
made to wait for a refill's ``fill_delay``, and warm kernels are handed out first.

Voila's own manager is replaced here by the least that shows its behaviour (pools of asyncio
tasks, ``get_rendered_notebook`` takes the first); the real one is driven in the browser suite
(``tests/browser/test_preheat.py::test_class_pool_stops_without_stray_kernels``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from drillbook import pool

from ._aio import run


class PooledLikeVoila:
    """What drillbook relies on in Voila's ``VoilaKernelManager``: ``_pools`` of tasks, and
    ``get_rendered_notebook`` awaiting the first task of the notebook's pool."""

    def __init__(self, pools: dict[str, list["asyncio.Future[Any]"]]) -> None:
        self._pools = pools

    def get_pool_size(self, notebook_name: str) -> int:
        return len(self._pools.get(notebook_name, []))

    async def get_rendered_notebook(self, notebook_name: str, **kwargs: Any) -> Any:
        return await self._pools[notebook_name].pop(0)


def test_only_started_kernels_count_and_are_handed_out_first() -> None:
    async def scenario() -> tuple[int, int, Any, int]:
        loop = asyncio.get_running_loop()
        waiting_out_delay: asyncio.Future[Any] = loop.create_future()  # a refill in its fill_delay
        failed: asyncio.Future[Any] = loop.create_future()
        failed.set_exception(RuntimeError("kernel died"))
        warm: asyncio.Future[Any] = loop.create_future()
        warm.set_result({"kernel_id": "warm-1"})
        pools = {"incident-replay.ipynb": [waiting_out_delay, failed, warm]}
        voila_size = PooledLikeVoila(pools).get_pool_size("incident-replay.ipynb")
        manager = pool.course_kernel_manager(PooledLikeVoila)(pools)
        size = manager.get_pool_size("incident-replay.ipynb")
        taken = await manager.get_rendered_notebook("incident-replay.ipynb")
        after = manager.get_pool_size("incident-replay.ipynb")
        waiting_out_delay.cancel()
        return voila_size, size, taken, after

    voila_size, size, taken, after = run(scenario())
    assert voila_size == 3  # Voila would hand a learner the refill and make them wait its delay
    assert size == 1 and taken == {"kernel_id": "warm-1"}
    assert after == 0  # the next learner gets a kernel started at once, as without a pool


def test_the_course_server_builds_voilas_manager_through_the_wrapper() -> None:
    made: list[tuple[Any, ...]] = []

    def voila_factory(base: type, preheat: bool, *args: Any) -> type:
        made.append((base, preheat, *args))
        return PooledLikeVoila

    wrapped = pool.with_course_pools(voila_factory)
    assert wrapped(object, False, 1) is PooledLikeVoila  # no pool: Voila's manager untouched
    cls = wrapped(object, True, 1)
    assert issubclass(cls, PooledLikeVoila) and cls is not PooledLikeVoila
    assert made == [(object, False, 1), (object, True, 1)]


def test_pages_that_start_a_kernel_queue_and_refills_wait_for_them() -> None:
    starts = pool.KernelStarts(at_once=2)
    running: list[int] = []
    most = 0
    refilled_while_busy: list[int] = []

    async def page(i: int) -> None:
        nonlocal most
        async with starts.page():
            running.append(i)
            most = max(most, len(running))
            await asyncio.sleep(0.01)
            running.remove(i)

    async def refill() -> None:
        await starts.quiet()
        refilled_while_busy.append(starts.busy)

    async def scenario() -> None:
        await starts.quiet()  # nothing waiting: a refill goes at once
        pages = [asyncio.create_task(page(i)) for i in range(7)]
        await asyncio.sleep(0)  # the pages are queued
        waiting_refill = asyncio.create_task(refill())
        await asyncio.gather(*pages, waiting_refill)

    run(scenario())
    assert most == 2  # never more than two kernels starting at once
    assert refilled_while_busy == [0]  # the refill went only once every learner had their page
    assert starts.busy == 0


class StartsLikeVoila(PooledLikeVoila):
    """Voila's ``_initialize`` (start a kernel, return its render task at once) and its
    ``shutdown_all``, recording what they were asked."""

    def __init__(self, pools: dict[str, list["asyncio.Future[Any]"]]) -> None:
        super().__init__(pools)
        self.log = logging.getLogger("voila-like")
        self.started: list[str] = []
        self.renders: dict[str, asyncio.Future[Any]] = {}
        self.shut_down = False
        #: jupyter_client's kernels still starting (an entry leaves once its kernel has started)
        self._pending_kernels: dict[str, asyncio.Future[Any]] = {}
        self.starting_at_shutdown: list[str] = []

    async def _initialize(self, notebook_path: str, kernel_id: str | None = None, **kwargs: Any) -> Any:
        kernel_id = kernel_id or f"kernel-{len(self.started)}"
        self.started.append(kernel_id)
        self.renders[kernel_id] = asyncio.get_running_loop().create_future()
        return {"kernel_id": kernel_id, "task": self.renders[kernel_id]}

    async def shutdown_all(self, *args: Any, **kwargs: Any) -> None:
        self.shut_down = True
        self.starting_at_shutdown = list(self._pending_kernels)  # Jupyter Server answers these 404


def test_pool_kernels_warm_a_few_at_a_time_each_until_its_page_is_built() -> None:
    async def scenario() -> dict[str, Any]:
        manager = pool.course_kernel_manager(StartsLikeVoila)({})
        manager._course_warm_up = pool.KernelWarmUp(at_once=2)
        fills = [asyncio.create_task(manager._initialize("incident-replay.ipynb")) for _ in range(4)]
        manager._pools["incident-replay.ipynb"] = list(fills)  # Voila's pool holds these tasks
        await asyncio.sleep(0.01)
        seen: dict[str, Any] = {"first": list(manager.started), "size while building": manager.get_pool_size("incident-replay.ipynb")}
        pool.FOOTERS.reached("kernel-0")  # its footer opened /voila/query: the page is built
        await asyncio.sleep(0.01)
        seen["after footer"] = list(manager.started)
        seen["kernel-0 done"] = fills[0].done()
        manager._pools["incident-replay.ipynb"].reverse()  # handed out: built, then building, then queued
        seen["handed out"] = (await manager.get_rendered_notebook("incident-replay.ipynb"))["kernel_id"]
        seen["next in line"] = [manager._ready(task) for task in manager._pools["incident-replay.ipynb"]]
        manager.renders["kernel-1"].set_result(None)  # its notebook ended (an error page)
        await asyncio.sleep(0.01)
        seen["after error"] = list(manager.started)
        for kernel in ("kernel-2", "kernel-3"):
            pool.FOOTERS.reached(kernel)
        seen["results"] = [(await fill)["kernel_id"] for fill in fills]
        seen["warming"] = manager.warm_up().warming
        return seen

    seen = run(scenario())
    assert seen["first"] == ["kernel-0", "kernel-1"]  # two at once, the others queued
    assert seen["size while building"] == 2  # a learner may take a kernel building its page
    assert seen["handed out"] == "kernel-0" and seen["next in line"] == [1, 1, 0]  # building before queued
    assert seen["after footer"] == ["kernel-0", "kernel-1", "kernel-2"] and seen["kernel-0 done"]
    assert seen["after error"] == ["kernel-0", "kernel-1", "kernel-2", "kernel-3"]
    assert seen["results"] == ["kernel-0", "kernel-1", "kernel-2", "kernel-3"] and seen["warming"] == 0


def test_a_kernel_that_never_builds_its_page_gives_its_slot_up_in_time() -> None:
    async def scenario() -> tuple[bool, bool, int]:
        warm_up = pool.KernelWarmUp(at_once=1, timeout=0.05)
        never: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        async with warm_up.turn("incident-replay.ipynb"):
            built = await warm_up.until_built("stuck-kernel", never)
        async with warm_up.turn("incident-replay.ipynb"):  # the next one gets the slot
            pool.FOOTERS.reached("next-kernel")  # reached before anyone waits: not remembered
            late = await warm_up.until_built("next-kernel", never)
        return built, late, len(pool.FOOTERS._reached)

    built, late, remembered = run(scenario())
    assert built is False and late is False
    assert remembered == 0  # nothing kept for kernels no longer waited on


def test_stopping_the_server_starts_no_queued_pool_kernel() -> None:
    async def scenario() -> tuple[list[str], list[str], bool, int]:
        manager = pool.course_kernel_manager(StartsLikeVoila)({})
        manager._course_warm_up = pool.KernelWarmUp(at_once=1)
        fills = [asyncio.create_task(manager._initialize("incident-replay.ipynb")) for _ in range(3)]
        await asyncio.sleep(0.01)
        await manager.shutdown_all()
        outcomes = await asyncio.gather(*fills, return_exceptions=True)
        kinds = [type(o).__name__ if isinstance(o, BaseException) else o["kernel_id"] for o in outcomes]
        return manager.started, kinds, manager.shut_down, manager.warm_up().warming

    started, kinds, shut_down, warming = run(scenario())
    assert started == ["kernel-0"]  # only the one warming when the server stopped was started
    assert kinds == ["kernel-0", "PoolClosed", "PoolClosed"] and shut_down and warming == 0


def test_a_restart_reruns_the_notebook_without_queueing() -> None:
    async def scenario() -> tuple[Any, list[str]]:
        manager = pool.course_kernel_manager(StartsLikeVoila)({})
        manager._course_warm_up = pool.KernelWarmUp(at_once=1)
        blocking = asyncio.create_task(manager._initialize("incident-replay.ipynb"))  # holds the slot
        await asyncio.sleep(0.01)
        restarted = await asyncio.wait_for(manager._initialize("incident-replay.ipynb", "kernel-7"), 1)
        blocking.cancel()
        return restarted["kernel_id"], manager.started

    kernel, started = run(scenario())
    assert kernel == "kernel-7" and started == ["kernel-0", "kernel-7"]


def test_every_notebook_gets_a_warm_kernel_before_any_gets_a_second() -> None:
    async def scenario() -> list[str]:
        warm_up = pool.KernelWarmUp(at_once=1)
        order: list[str] = []

        async def fill(notebook: str) -> None:
            async with warm_up.turn(notebook):
                order.append(notebook)
                await asyncio.sleep(0)

        # Voila fills pool after pool: the replay's three kernels, then each primer's two
        fills = [asyncio.create_task(fill(nb)) for nb in ["replay"] * 3 + ["index"] * 2 + ["quiz"] * 2]
        await asyncio.gather(*fills)
        return order

    assert run(scenario()) == ["replay", "index", "quiz", "replay", "index", "quiz", "replay"]


def test_a_warm_up_cancelled_while_queued_leaves_the_slots_as_they_were() -> None:
    async def scenario() -> tuple[int, list[str]]:
        turns = pool.Turns(at_once=1)
        got: list[str] = []
        await turns.acquire(priority=0)  # the one slot is taken
        queued = asyncio.create_task(turns.acquire(priority=0))
        later = asyncio.create_task(turns.acquire(priority=5))
        await asyncio.sleep(0)
        queued.cancel()  # e.g. the server stopped while it waited
        await asyncio.gather(queued, return_exceptions=True)
        turns.release()  # the slot goes to the one still waiting
        await later
        got.append("later")
        turns.release()
        return turns.free, got

    free, got = run(scenario())
    assert got == ["later"] and free == 1


def test_the_pool_counts_every_notebook_voila_preheats_not_only_course_entries() -> None:
    files = ["course/index.ipynb", "course/incident-replay.ipynb", "course/branch-atlas.ipynb",
             "course/debrief.ipynb", "course/.ipynb_checkpoints/index.ipynb"]
    assert pool.warm_kernel_count(None, files) == 3  # one each; never the atlas nor a checkpoint copy
    assert pool.warm_kernel_count(30, files) == 30 + 3 + 3
    assert pool.warm_kernel_count(0, files) == 0


def test_the_server_says_how_far_the_pool_has_warmed(caplog: pytest.LogCaptureFixture) -> None:
    async def warm_all() -> None:
        manager = pool.course_kernel_manager(StartsLikeVoila)({})
        manager._course_warm_up = pool.KernelWarmUp(at_once=1)
        fills = [asyncio.create_task(manager._initialize(nb)) for nb in ("index.ipynb", "debrief.ipynb")]
        manager._pools = {"index.ipynb": [fills[0]], "debrief.ipynb": [fills[1]]}
        for kernel in ("kernel-0", "kernel-1"):
            await asyncio.sleep(0.01)
            pool.FOOTERS.reached(kernel)
        await asyncio.gather(*fills)

    with caplog.at_level(logging.INFO, logger="voila-like"):
        run(warm_all())
    assert [r.getMessage() for r in caplog.records] == [
        "Warm pages: 1 of 2 built", "Warm pages: all 2 built; learners get their pages at once"]
    caplog.clear()

    async def scenario() -> None:
        manager = pool.course_kernel_manager(StartsLikeVoila)({})
        manager._course_warm_up = pool.KernelWarmUp(at_once=3)
        fills = [asyncio.create_task(manager._initialize("incident-replay.ipynb")) for _ in range(3)]
        manager._pools["incident-replay.ipynb"] = list(fills)
        await asyncio.sleep(0.01)
        pool.FOOTERS.reached("kernel-1")
        await asyncio.sleep(0.01)
        manager.renders["kernel-0"].set_result(None)  # ended without a page: an error, not warm
        await asyncio.sleep(0.01)
        pool.FOOTERS.reached("kernel-2")
        await asyncio.gather(*fills)

    with caplog.at_level(logging.INFO, logger="voila-like"):
        run(scenario())
    assert [r.getMessage() for r in caplog.records] == [
        "Warm pages: 1 of 3 built",
        "Warm pages: incident-replay.ipynb ended before its page was built (kernel-0)",
        "Warm pages: 2 of 3 built",  # the one that failed is no warm page
    ]


def test_shutdown_waits_for_kernels_still_starting() -> None:
    """Ctrl+C during warm-up: a kernel still starting would be refused by Jupyter Server's
    shutdown (404), which ended the shutdown of every other kernel; it is let finish first."""
    async def scenario() -> StartsLikeVoila:
        manager = pool.course_kernel_manager(StartsLikeVoila)({})

        async def start() -> None:
            await asyncio.sleep(0.05)
            manager._pending_kernels.pop("kernel-9")

        manager._pending_kernels["kernel-9"] = asyncio.ensure_future(start())
        await manager.shutdown_all()
        return manager

    manager = run(scenario())
    assert manager.shut_down and manager.starting_at_shutdown == []
