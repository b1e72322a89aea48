"""A simulated learner at the protocol level: what a browser asks of a Voila server, without one.

One learner is four steps, each timed on the learner's own clock:

1. ``GET /voila/render/<notebook>``: the page's HTML. Without a pool Voila starts a kernel and
   runs the notebook inside this request; with a pool it hands over a warm kernel.
2. The kernel websocket ``/api/kernels/<id>/channels`` and a ``kernel_info_request`` (what
   the page's kernel connection does first).
3. The widget manager's ``jupyter.widget.control`` comm: ``request_states`` is answered with the
   state of every widget model. *Time to the full page* stops here: the browser has all it needs
   to draw every widget.
4. A real click: a ``comm_msg`` ``{"method": "custom", "content": {"event": "click"}}`` to a choice
   button's model, exactly what ipywidgets' front end sends. The *click round trip* runs until the
   kernel reports idle for that message, and counts only if the ``update`` messages it caused
   carry the expected text (the replay's "you chose B)", the baseline's "clicked 1").

Why asyncio with tornado's websocket client rather than Locust: tornado is already installed
(Jupyter Server runs on it), its ``websocket_connect`` and ``AsyncHTTPClient`` run hundreds of
learners in one event loop with one thread, and the Jupyter message framing needs only a few
lines here. Locust would add gevent, its own web UI and a monkey-patched socket stack for
nothing this benchmark needs; real Chromium learners (Playwright's async API) run in the same
event loop alongside.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

#: ipywidgets 8's protocol versions, sent in message metadata as its front end does.
CONTROL_PROTOCOL, WIDGET_PROTOCOL = "1.0.0", "2.1.0"
CONFIG_RE = re.compile(r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>', re.S)


@dataclass(frozen=True)
class Page:
    """A page a learner opens and the button they press."""

    name: str
    path: str  #: URL path (and query) of the page
    button_class: str  #: a CSS class the button's model carries (``_dom_classes``)
    button_prefix: str  #: the button's description starts with this ("" = any)
    expect: str  #: text an ``update`` caused by the click must contain
    named: bool = False  #: each learner adds ``name=learner-<i>&group=bench`` to the address

    def url_for(self, index: int) -> str:
        """The address learner ``index`` opens: a class's learners are named (their runs kept
        apart, their visits recorded), which is work the server does for each of them."""
        if not self.named:
            return self.path
        return self.path + ("&" if "?" in self.path else "?") + f"name=learner-{index}&group=bench"


def replay_page(query: str = "") -> Page:
    path = "/voila/render/incident-replay.ipynb" + (f"?{query}" if query else "")
    return Page("incident-replay", path, "db-choice", "B)", "you chose B)", named=True)


def baseline_page() -> Page:
    return Page("baseline", "/", "bench-button", "", "clicked 1")


@dataclass
class Result:
    """One learner's figures (seconds) or the step where it failed."""

    index: int
    arrived_s: float = 0.0  #: when the learner sent its first request, since the class started
    html_s: float | None = None  #: the page's HTML complete
    full_s: float | None = None  #: HTML + websocket + every widget's state: the full page
    done_at_s: float | None = None  #: when the full page was there, since the class started
    click_s: float | None = None  #: click sent -> kernel idle, with the expected update seen
    kernel_id: str | None = None
    widgets: int = 0
    error: str | None = None
    step: str = "new"


def _header(msg_type: str, session: str) -> dict[str, Any]:
    return {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "bench", "session": session,
            "date": dt.datetime.now(dt.timezone.utc).isoformat(), "version": "5.3"}


def _decode(frame: str | bytes) -> dict[str, Any]:
    """A kernel message from the websocket: JSON text, or Jupyter's binary framing (a count, the
    offsets, then the JSON message and its buffers) when the message carries buffers."""
    if isinstance(frame, str):
        return dict(json.loads(frame))
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i: 8 + 4 * i], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(frame)
    return dict(json.loads(frame[offsets[0]:end].decode("utf-8")))


class KernelSocket:
    """The page's kernel connection: send a shell message, read messages as they come."""

    def __init__(self, conn: WebSocketClientConnection, session: str) -> None:
        self.conn = conn
        self.session = session

    @classmethod
    async def open(cls, base_ws: str, kernel_id: str, timeout: float) -> "KernelSocket":
        session = uuid.uuid4().hex
        url = f"{base_ws}/api/kernels/{kernel_id}/channels?session_id={session}"
        conn = await asyncio.wait_for(websocket_connect(url, max_message_size=64 * 2**20), timeout)
        return cls(conn, session)

    async def send(self, msg_type: str, content: dict[str, Any], metadata: dict[str, Any] | None = None) -> str:
        header = _header(msg_type, self.session)
        await self.conn.write_message(json.dumps({"header": header, "parent_header": {}, "metadata": metadata or {},
                                                  "content": content, "channel": "shell", "buffers": []}))
        return str(header["msg_id"])

    async def receive(self, deadline: float) -> dict[str, Any]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer from the kernel in time")
        frame = await asyncio.wait_for(self.conn.read_message(), left)
        if frame is None:
            raise ConnectionError("the kernel websocket closed")
        return _decode(frame)

    def close(self) -> None:
        self.conn.close()


async def fetch_page(base: str, path: str, timeout: float) -> str:
    client = AsyncHTTPClient()
    response = await client.fetch(HTTPRequest(base + path, request_timeout=timeout, connect_timeout=timeout))
    return bytes(response.body).decode("utf-8", errors="replace")


def kernel_id_of(html: str) -> str:
    match = CONFIG_RE.search(html)
    if not match:
        raise ValueError("the page carries no jupyter-config-data (no kernel)")
    return str(json.loads(match.group(1))["kernelId"])


async def widget_states(sock: KernelSocket, deadline: float) -> dict[str, Any]:
    """Ask the kernel for every widget's state, as ipywidgets 8's front end does on page load."""
    comm_id = uuid.uuid4().hex
    await sock.send("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}},
                    {"version": CONTROL_PROTOCOL})
    await sock.send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})
    while True:
        msg = await sock.receive(deadline)
        content = msg.get("content", {})
        if msg.get("msg_type") == "comm_msg" and content.get("comm_id") == comm_id:
            data = content.get("data", {})
            if data.get("method") == "update_states":
                return dict(data.get("states", {}))


def find_button(states: dict[str, Any], page: Page) -> str:
    """The model id of the enabled button the learner presses."""
    for model_id, model in states.items():
        state = model.get("state", {})
        if (state.get("_model_name") == "ButtonModel" and page.button_class in state.get("_dom_classes", ())
                and not state.get("disabled") and str(state.get("description", "")).startswith(page.button_prefix)):
            return str(model_id)
    raise LookupError(f"no enabled button .{page.button_class} '{page.button_prefix}' among {len(states)} widgets")


async def click(sock: KernelSocket, model_id: str, expect: str, deadline: float) -> list[dict[str, Any]]:
    """Press the button; return the ``update`` states it caused once the kernel is idle again.

    Fails unless an update carries ``expect``: a round trip that changed nothing is no click."""
    msg_id = await sock.send("comm_msg", {"comm_id": model_id,
                                          "data": {"method": "custom", "content": {"event": "click"}}},
                             {"version": WIDGET_PROTOCOL})
    updates: list[dict[str, Any]] = []
    while True:
        msg = await sock.receive(deadline)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg.get("msg_type")
        if kind == "comm_msg" and msg["content"].get("data", {}).get("method") == "update":
            updates.append(msg["content"]["data"].get("state", {}))
        elif kind == "status" and msg["content"].get("execution_state") == "idle":
            break
    if not any(expect in json.dumps(state) for state in updates):
        raise AssertionError(f"the click's {len(updates)} updates never said '{expect}'")
    return updates


async def learner(base: str, page: Page, who: Result, start: float, timeout: float) -> Result:
    """One simulated learner from the page request to the end of one click; never raises."""
    t0 = time.monotonic()
    who.arrived_s = t0 - start
    deadline = t0 + timeout
    sock: KernelSocket | None = None
    try:
        who.step = "page"
        html = await fetch_page(base, page.url_for(who.index), timeout)
        who.html_s = time.monotonic() - t0
        who.kernel_id = kernel_id_of(html)
        who.step = "websocket"
        sock = await KernelSocket.open(base.replace("http", "ws", 1), who.kernel_id, max(deadline - time.monotonic(), 0.1))
        info = await sock.send("kernel_info_request", {})
        while (await sock.receive(deadline)).get("parent_header", {}).get("msg_id") != info:
            pass
        who.step = "widget state"
        states = await widget_states(sock, deadline)
        who.widgets = len(states)
        who.full_s = time.monotonic() - t0
        who.done_at_s = time.monotonic() - start
        who.step = "click"
        button = find_button(states, page)
        t1 = time.monotonic()
        await click(sock, button, page.expect, deadline)
        who.click_s = time.monotonic() - t1
        who.step = "done"
    except Exception as exc:  # noqa: BLE001 - every failure is one counted error, with its step
        who.error = f"at {who.step}: {type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
    finally:
        if sock is not None:
            sock.close()
    return who


async def class_of(base: str, page: Page, learners: int, spread_s: float, timeout: float,
                   first_index: int = 0) -> list[Result]:
    """``learners`` learners arriving evenly within ``spread_s`` seconds."""
    AsyncHTTPClient.configure(None, max_clients=max(10, learners * 2))
    start = time.monotonic()

    async def one(i: int) -> Result:
        await asyncio.sleep(spread_s * i / max(learners, 1))
        return await learner(base, page, Result(first_index + i), start, timeout)

    return list(await asyncio.gather(*(one(i) for i in range(learners))))


@dataclass
class Sampler:
    """Server and kernel CPU-seconds and total RSS, sampled from ``/proc`` while a class runs."""

    server_pid: int
    kernel_pids: Any  #: callable returning the server's live kernel pids
    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    peak_rss_kib: int = 0
    server_cpu0: float = 0.0
    server_cpu: float = 0.0
    running: bool = True

    async def run(self, cpu: Any, rss: Any, every: float = 0.5) -> None:
        self.server_cpu0 = cpu(self.server_pid)
        for pid in self.kernel_pids():
            self.first[pid] = cpu(pid)
        while self.running:  # in a thread: walking /proc must not hold up the learners' event loop
            await asyncio.to_thread(self.sample, cpu, rss)
            await asyncio.sleep(every)
        await asyncio.to_thread(self.sample, cpu, rss)

    def sample(self, cpu: Any, rss: Any) -> None:
        pids = self.kernel_pids()
        total = rss(self.server_pid)
        for pid in pids:
            self.last[pid] = cpu(pid)
            total += rss(pid)
        self.server_cpu = cpu(self.server_pid) - self.server_cpu0
        self.peak_rss_kib = max(self.peak_rss_kib, total)

    def kernel_cpu(self) -> float:
        """CPU-seconds the kernels spent during the run (warm kernels count from the start)."""
        return sum(self.last[pid] - self.first.get(pid, 0.0) for pid in self.last)

    def started_kernel_cpu(self) -> float:
        """The part spent by kernels started during the run: every kernel without a pool, the
        pool's replacements with one."""
        return sum(cpu for pid, cpu in self.last.items() if pid not in self.first)
