"""Running a coroutine from a test, whatever the test session has going.

The browser suite's sync Playwright keeps an asyncio event loop running in the main thread for
the whole session, and ``asyncio.run`` refuses to start inside a running loop; so coroutines
run to completion in a thread of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)`` in a fresh thread; returns its result or raises its exception."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
