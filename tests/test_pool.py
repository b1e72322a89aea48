"""``drillbook.pool``'s change to Voila's pooled kernel manager: a learner beyond the pool is not
made to wait for a refill's ``fill_delay``, and warm kernels are handed out first.

Voila's own manager is replaced here by the least that shows its behaviour (pools of asyncio
tasks, ``get_rendered_notebook`` takes the first); the real one is driven in the browser suite
(``tests/browser/test_preheat.py::test_class_pool_stops_without_stray_kernels``).
"""

from __future__ import annotations

import asyncio
from typing import Any

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
