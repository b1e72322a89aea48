"""What the benchmark does in the browser: the measuring JavaScript and the page scripts.

Timing is read inside the page with ``performance.now()`` (milliseconds since navigation
start), so Playwright's own round trips never enter a figure:

* time to interactive: the first moment a wanted button is visible (``checkVisibility``, size
  > 0) and enabled, polled every animation frame;
* click latency: a ``MutationObserver`` is armed, the button is clicked in the page, and the
  clock stops at the first DOM change after which the expected text is present, plus a forced
  layout of that element (so a heavier DOM costs what it costs; paint is not included).

The same code measures the baseline and the course, so the ratio compares like with like.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _procs import CHROMIUM, CHROMIUM_ARGS  # the browser tests' launch settings

#: Returns performance.now() once an element matching the selector is visible and enabled.
READY_JS = """(sel) => {
  for (const el of document.querySelectorAll(sel)) {
    if (el.disabled) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) return performance.now();
  }
  return false;
}"""

#: Click a button (by selector and optional "K)" prefix) and time until ``text`` shows in ``done``.
#: ``then``/``then_text`` optionally time a second condition (the next round being ready).
CLICK_JS = """async ({btn, key, done, text, then, thenText, timeout}) => {
  const pick = () => [...document.querySelectorAll(btn)].find(
      b => !b.disabled && (!key || b.textContent.trim().startsWith(key + ")")));
  const found = (sel, t) => [...document.querySelectorAll(sel)].find(e => e.textContent.includes(t));
  const button = pick();
  if (!button) throw new Error(`no enabled button ${btn} ${key || ""}`);
  return await new Promise((resolve, reject) => {
    let t0 = 0, first = null;
    const check = () => {
      if (first === null) {
        const el = found(done, text);
        if (el) { el.getBoundingClientRect(); first = performance.now() - t0; }
      }
      if (first !== null) {
        if (!then) return finish(null);
        const el = found(then, thenText);
        if (el) { el.getBoundingClientRect(); return finish(performance.now() - t0); }
      }
    };
    const finish = (second) => { obs.disconnect(); clearTimeout(timer); resolve({result: first, next: second}); };
    const obs = new MutationObserver(check);
    obs.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    const timer = setTimeout(() => { obs.disconnect();
      reject(new Error(`timeout after ${timeout} ms waiting for "${first === null ? text : thenText}"`)); }, timeout);
    t0 = performance.now();
    button.click();
  });
}"""

KERNEL_ID_JS = """() => {
  const el = document.getElementById('jupyter-config-data');
  try { return JSON.parse(el.textContent).kernelId || null; } catch (e) { return null; }
}"""

#: Where the time to interactive went: first byte, end of the streamed page (Voila sends the
#: last byte after the kernel ran every cell) and DOMContentLoaded, all since navigation start.
NAV_JS = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return n ? {ttfb: n.responseStart, html_done: n.responseEnd, dcl: n.domContentLoadedEventEnd} : null;
}"""

ERROR_SEL = ".db-message-error, .db-message-area [role=alert]"


@dataclass(frozen=True)
class Target:
    """One page to measure: where it is, what "interactive" means, and how to play it."""

    name: str
    path: str
    ready: str  #: selector of the element whose visibility+enabled state means "interactive"
    clicks: tuple[dict[str, Any], ...] = ()  #: arguments for CLICK_JS, in order
    remediation: bool = False  #: after the clicks, work the replay's remediation round to the report


def baseline_target(clicks: int = 3) -> Target:
    return Target("baseline", "/", "button.bench-button", tuple(
        {"btn": "button.bench-button", "key": None, "done": ".bench-out", "text": f"clicked {n}",
         "then": None, "thenText": None} for n in range(1, clicks + 1)))


#: The optimal path of the bonding incident and what each click must produce.
OPTIMAL = ("B", "A", "A")


def replay_target(path: str = "/voila/render/incident-replay.ipynb") -> Target:
    clicks = []
    for number, key in enumerate(OPTIMAL, start=1):
        last = number == len(OPTIMAL)
        clicks.append({"btn": "button.db-choice", "key": key, "done": ".db-result-title",
                       "text": f"Round {number}, you chose {key})",
                       "then": ".db-remediation" if last else ".db-round-title",
                       "thenText": "Remediation" if last else f"Round {number + 1} of"})
    return Target("incident-replay", path, "button.db-choice", tuple(clicks), remediation=True)


def welcome_target(path: str = "/voila/render/index.ipynb") -> Target:
    # The welcome page's first control: a widget button if it has one, else its first link.
    return Target("welcome", path, ".jupyter-widgets button, .db-root button, .db-root a[href], "
                                   "#rendered_cells a[href]")


def launch(pw: Any) -> Any:
    return pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def post_shutdown(base: str, kernel_id: str) -> bool:
    """Voila's own tab-close endpoint, called directly when the page's beacon did not arrive.

    On bare Voila 0.5 the ``beforeunload`` beacon is refused (403: the render page sets no
    ``_xsrf`` cookie, so the beacon carries no token, voila#1458) and the kernel lives on until
    culled; the course's server sets the cookie (``drillbook.serve_handlers``), so its beacons
    work. Here the benchmark uses the double-submit pattern (the same value as cookie and header)
    that tornado accepts, so both servers end each visit with no kernel left over.
    """
    req = urllib.request.Request(f"{base}/voila/api/shutdown/{kernel_id}", data=b"", method="POST",
                                 headers={"Cookie": "_xsrf=drillbook-bench", "X-XSRFToken": "drillbook-bench"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return bool(resp.status < 300)
    except OSError:
        return False


# -- one learner, synchronous (single-learner figures) ---------------------------------------

@dataclass
class Visit:
    tti_ms: float
    clicks: list[dict[str, float | None]] = field(default_factory=list)
    nav: dict[str, float] | None = None
    kernel_id: str | None = None
    errors: list[str] = field(default_factory=list)


def visit(browser: Any, base: str, target: Target, *, timeout_ms: int = 120_000,
          after_first_click: Callable[[Visit], None] | None = None) -> tuple[Visit, Any, Any]:
    """Open ``target`` in a fresh context (cold cache), time it and play its clicks.

    Returns the still-open context and page so the caller decides when the kernel may go."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.goto(base + target.path, wait_until="commit", timeout=timeout_ms)
    tti = page.wait_for_function(READY_JS, arg=target.ready, polling="raf", timeout=timeout_ms).json_value()
    result = Visit(float(tti), kernel_id=page.evaluate(KERNEL_ID_JS), errors=errors, nav=page.evaluate(NAV_JS))
    for index, click in enumerate(target.clicks):
        # The next round's buttons are new widgets: wait until they are interactive first.
        page.wait_for_function(READY_JS, arg=click["btn"], polling="raf", timeout=timeout_ms)
        result.clicks.append(page.evaluate(CLICK_JS, {**click, "timeout": timeout_ms}))
        if index == 0 and after_first_click is not None:
            after_first_click(result)
    if page.locator(ERROR_SEL).count():
        errors.append("app message: " + page.locator(ERROR_SEL).first.inner_text()[:200])
    return result, context, page


def close(context: Any, page: Any) -> None:
    page.close(run_before_unload=True)
    context.close()


# -- a classroom of learners, asynchronous ---------------------------------------------------

@dataclass
class Learner:
    index: int
    opened_at: float = 0.0  #: seconds after the classroom started
    tti_ms: float | None = None
    total_s: float | None = None  #: open to damage report
    clicks: list[dict[str, float | None]] = field(default_factory=list)
    kernel_id: str | None = None
    step: str = "new"  #: the last step begun, named in any error
    errors: list[str] = field(default_factory=list)


async def play_remediation(page: Any, who: Learner, timeout_ms: int) -> None:
    """Finish the remediation round like a keyboard user: every "Run it for me", every follow-up
    checkbox, then "Close incident"; the damage report must appear and say the path."""
    who.step = "remediation shown"
    await page.wait_for_selector(".db-remediation", state="visible", timeout=timeout_ms)
    for _ in range(20):
        buttons = page.locator("button.db-run-for-me:not([disabled])")
        pending = await buttons.count()
        if pending == 0:
            break
        who.step = f"run it for me ({pending} left)"
        await buttons.first.click(timeout=timeout_ms)
        await page.wait_for_function(
            "(n) => document.querySelectorAll('button.db-run-for-me:not([disabled])').length < n",
            arg=pending, timeout=timeout_ms)
    reported = "[...document.querySelectorAll('.db-report')].some(e => e.textContent.includes('B-A-A'))"
    report = f"() => {reported}"
    unticked = ".db-followup input[type=checkbox]:not(:checked):not([disabled])"
    for _ in range(20):
        boxes = page.locator(unticked)
        left = await boxes.count()
        if left == 0:
            break
        who.step = f"tick follow-up ({left} left)"
        # click, not check(): ticking the last one may finish the incident and remove the box.
        await boxes.first.click(timeout=timeout_ms)
        await page.wait_for_function(f"(n) => document.querySelectorAll({unticked!r}).length < n || {reported}",
                                     arg=left, timeout=timeout_ms)
    # The app closes the incident itself once every action is done, otherwise Close is pressed;
    # under load the report may still be on its way when the last tick shows, so poll for either.
    deadline = time.monotonic() + timeout_ms / 1000
    while not await page.evaluate(report):
        if time.monotonic() > deadline:
            raise TimeoutError("no damage report after the remediation round")
        close = page.locator("button.db-close:not([disabled])")
        if await close.count():
            who.step = "close incident"
            with contextlib.suppress(Exception):  # it may vanish as the incident closes itself
                await close.first.click(timeout=2000)
        await asyncio.sleep(0.25)


async def new_learner_context(browser: Any, vanish: bool = False) -> Any:
    """A learner's browser profile (its own HTTP cache)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    if vanish:  # a learner whose laptop just sleeps: the tab's shutdown beacon never arrives
        await context.route("**/voila/api/shutdown/**", lambda route: route.abort())
    return context


async def learner(browser: Any, base: str, target: Target, who: Learner, start: float,
                  timeout_ms: int, shots: Path | None = None, vanish: bool = False,
                  context: Any = None) -> tuple[Any, Any]:
    """One learner's visit, in a fresh profile (cold cache) or in ``context`` (one that has
    been on the course before)."""
    if context is None:
        context = await new_learner_context(browser, vanish)
    page = await context.new_page()
    page.on("pageerror", lambda exc: who.errors.append(f"pageerror: {exc}"))
    who.opened_at = time.monotonic() - start
    t0 = time.monotonic()
    try:
        who.step = "open"
        await page.goto(base + target.path, wait_until="commit", timeout=timeout_ms)
        handle = await page.wait_for_function(READY_JS, arg=target.ready, polling="raf", timeout=timeout_ms)
        who.tti_ms = float(await handle.json_value())
        who.kernel_id = await page.evaluate(KERNEL_ID_JS)
        for click in target.clicks:
            who.step = f"choose {click['key']} ({click['text']})"
            await page.wait_for_function(READY_JS, arg=click["btn"], polling="raf", timeout=timeout_ms)
            who.clicks.append(await page.evaluate(CLICK_JS, {**click, "timeout": timeout_ms}))
        if target.remediation:
            await play_remediation(page, who, timeout_ms)
        who.total_s = time.monotonic() - t0
        if await page.locator(ERROR_SEL).count():
            who.errors.append("app message: " + (await page.locator(ERROR_SEL).first.inner_text())[:200])
    except Exception as exc:  # noqa: BLE001 - every failure is one counted error
        who.errors.append(f"at '{who.step}': {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
        if shots is not None:
            with contextlib.suppress(Exception):
                await page.screenshot(path=str(shots / f"learner-{who.index}.png"), full_page=True)
    return context, page


async def classroom(base: str, target: Target, learners: int, interval_s: float,
                    timeout_ms: int, shots: Path | None = None,
                    before_close: Callable[[], None] | None = None, vanish: bool = True) -> list[Learner]:
    """``learners`` contexts in one browser, opened ``interval_s`` apart (0 = all at once);
    ``before_close()`` runs once every learner is done, while all pages are still open. With
    ``vanish`` the pages' shutdown beacons are dropped, so only culling can free the kernels."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        people = [Learner(i) for i in range(learners)]
        start = time.monotonic()

        async def one(who: Learner) -> tuple[Any, Any]:
            await asyncio.sleep(who.index * interval_s)
            return await learner(browser, base, target, who, start, timeout_ms, shots, vanish)

        opened = await asyncio.gather(*(one(p) for p in people))
        if before_close is not None:
            before_close()
        for context, page in opened:
            try:
                await page.close(run_before_unload=True)
                await context.close()
            except Exception:  # noqa: BLE001 - closing is best effort, kernels are checked after
                pass
        await asyncio.sleep(1.0)  # let the beforeunload beacons leave before the browser dies
        await browser.close()
    return people
