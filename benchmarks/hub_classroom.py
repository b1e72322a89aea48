"""A class logging in to ``./run hub`` at once: spawn-to-first-choice through JupyterHub.

Each simulated learner does at the HTTP level what a browser does, from one asyncio process
(aiohttp, already installed with jhsingle-native-proxy; no browser per learner, so the load
generator stays small next to what it measures):

1. the hub's login form (``/hub/login``, any name) -> the hub spawns the learner's server;
2. polls ``/hub/spawn-pending/<name>`` until the hub redirects to the server (spawn done);
3. ``GET /user/<name>/voila/render/incident-replay.ipynb`` through the OAuth redirects (Voila
   starts on this first request, starts a kernel and runs the notebook);
4. opens the kernel websocket and asks for the widget state as Voila's widget manager does
   (``comm_open`` on ``jupyter.widget.control``, ``request_states``): the first choice is
   clickable when that state holds a ``db-choice`` button;
5. one click (a ``comm_msg`` ``custom``/``click`` to that button) answered by a state update.

Learners arrive spread over 2 s. The time from the login POST to step 4 is
"spawn-to-first-choice". Afterwards the per-learner processes (proxy, Voila, replay kernel) are
measured for RSS and CPU, also over an idle minute, which is what ``deploy/kubernetes/``'s
guarantees are derived from; then the hub stops and nothing may be left.

    .venv/bin/python benchmarks/hub_classroom.py --learners 30 --note "what else runs here"
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import re
import signal
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil  # type: ignore[import-untyped,unused-ignore]

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.browser._hub import Hub  # noqa: E402

RESULTS = REPO / "benchmarks" / "RESULTS.md"
REPLAY = "incident-replay.ipynb"


@dataclass
class Learner:
    name: str
    spawn_s: float | None = None  # login POST -> hub redirects to the server
    page_s: float | None = None  # login POST -> replay page HTML received
    first_choice_s: float | None = None  # login POST -> widget state with a choice button
    click_s: float | None = None  # click -> first state update
    error: str = ""
    timeline: dict[str, float] = field(default_factory=dict)


def _msg(msg_type: str, content: dict[str, Any], session: str,
         metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "bench",
              "version": "5.3", "date": dt.datetime.now(dt.timezone.utc).isoformat()}
    return {"header": header, "parent_header": {}, "metadata": metadata or {}, "content": content,
            "channel": "shell", "buffers": []}


async def _widget_states(ws: aiohttp.ClientWebSocketResponse, session: str) -> dict[str, Any]:
    """Ask the kernel for every widget's state, as Voila's widget manager does on page load."""
    comm_id = uuid.uuid4().hex
    await ws.send_json(_msg("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control",
                                          "data": {}}, session, {"version": "1.0.0"}))  # ipywidgets 8's control protocol
    await ws.send_json(_msg("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}}, session))
    async for frame in ws:
        if frame.type == aiohttp.WSMsgType.BINARY:
            msg = _binary_message(frame.data)
        elif frame.type == aiohttp.WSMsgType.TEXT:
            msg = json.loads(frame.data)
        else:
            continue
        data = msg.get("content", {}).get("data", {})
        if msg.get("msg_type") == "comm_msg" and data.get("method") == "update_states":
            return dict(data["states"])
    raise RuntimeError("the kernel websocket closed before the widget state arrived")


def _binary_message(data: bytes) -> dict[str, Any]:
    """jupyter_server's legacy binary frame: a count, offsets, the JSON message, then buffers."""
    count = int.from_bytes(data[:4], "big")
    offsets = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(data)
    return dict(json.loads(data[offsets[0]:end]))


def _first_choice(states: dict[str, Any]) -> str | None:
    for model_id, model in states.items():
        state = model.get("state", {})
        if model.get("model_name") == "ButtonModel" and "db-choice" in state.get("_dom_classes", []) \
                and not state.get("disabled"):
            return str(model_id)
    return None


async def _click(ws: aiohttp.ClientWebSocketResponse, session: str, button: str) -> None:
    """A real click: the button's comm gets ``custom``/``click``; wait for the update it causes."""
    await ws.send_json(_msg("comm_msg", {"comm_id": button, "data": {"method": "custom",
                                                                     "content": {"event": "click"}}}, session))
    async for frame in ws:
        if frame.type == aiohttp.WSMsgType.TEXT:
            msg = json.loads(frame.data)
            if msg.get("msg_type") == "comm_msg" and msg["content"].get("data", {}).get("method") == "update":
                return
        elif frame.type == aiohttp.WSMsgType.BINARY:
            return  # an update carrying buffers also answers the click
    raise RuntimeError("the kernel websocket closed before the click was answered")


async def learner_session(base: str, learner: Learner, delay: float, deadline: float) -> None:
    await asyncio.sleep(delay)
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    timeout = aiohttp.ClientTimeout(total=max(1.0, deadline - time.monotonic()))
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as http:
        try:
            async with http.get(base + "hub/login") as resp:
                await resp.read()
            xsrf = next((c.value for c in jar if c.key == "_xsrf"), "")
            start = time.monotonic()
            async with http.post(base + "hub/login?next=", data={"username": learner.name, "password": "",
                                                                 "_xsrf": xsrf}) as resp:
                await resp.read()
            while True:
                async with http.get(base + f"hub/spawn-pending/{learner.name}", allow_redirects=False) as resp:
                    if resp.status == 302:
                        break
                    if resp.status >= 400:
                        raise RuntimeError(f"spawn-pending answered {resp.status}")
                await asyncio.sleep(0.5)
            learner.spawn_s = time.monotonic() - start
            async with http.get(base + f"user/{learner.name}/voila/render/{REPLAY}") as resp:
                html = await resp.text()
                if resp.status != 200:
                    raise RuntimeError(f"the replay page answered {resp.status}")
            learner.page_s = time.monotonic() - start
            found = re.search(r'kernelId["\']?\s*[:=]\s*["\']([0-9a-f-]{36})', html)
            if not found:
                raise RuntimeError("the replay page names no kernel")
            session = uuid.uuid4().hex
            ws_url = base.replace("http", "ws", 1) + f"user/{learner.name}/api/kernels/{found.group(1)}/channels"
            async with http.ws_connect(ws_url, origin=base.rstrip("/"), max_msg_size=0) as ws:
                states = await _widget_states(ws, session)
                button = _first_choice(states)
                if button is None:
                    raise RuntimeError("the widget state holds no choice button")
                learner.first_choice_s = time.monotonic() - start
                clicked = time.monotonic()
                await _click(ws, session, button)
                learner.click_s = time.monotonic() - clicked
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the class
            learner.error = f"{type(exc).__name__}: {exc}"[:200]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def per_learner_processes(hub: Hub) -> dict[str, list[psutil.Process]]:
    """The hub's process tree sorted by role: each learner has a proxy, a Voila and kernels."""
    roles: dict[str, list[psutil.Process]] = {"proxy": [], "voila": [], "kernel": [], "hub": []}
    for pid in hub.processes():
        try:
            proc = psutil.Process(pid)
            line = " ".join(proc.cmdline())
        except psutil.Error:
            continue
        if "drillbook.hubproxy" in line:
            roles["proxy"].append(proc)
        elif "drillbook.singleuser" in line:
            roles["voila"].append(proc)
        elif "ipykernel" in line:
            roles["kernel"].append(proc)
        else:
            roles["hub"].append(proc)  # launcher, jupyterhub, configurable-http-proxy, culler
    return roles


def cpu_s(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def rss_mib(procs: list[psutil.Process]) -> list[float]:
    out = []
    for proc in procs:
        try:
            out.append(proc.memory_info().rss / 2**20)
        except psutil.Error:
            pass
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--arrival", type=float, default=2.0, help="seconds over which learners arrive")
    parser.add_argument("--budget", type=float, default=480.0, help="seconds before unfinished learners count as errors")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU sampling afterwards")
    parser.add_argument("--note", default="", help="what else runs on this machine")
    parser.add_argument("--no-write", action="store_true", help="print only, do not append RESULTS.md")
    args = parser.parse_args()

    # A SIGTERM (e.g. `timeout`) must still stop the hub, which runs in a session of its own.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    state = Path(tempfile.mkdtemp(prefix="drillbook-hub-bench-"))
    hub = Hub.start(state / "state", REPO / "test-artifacts" / "hub-bench")
    load_before = os.getloadavg()
    learners = [Learner(f"learner-{i:03d}") for i in range(args.learners)]
    try:
        deadline = time.monotonic() + args.budget
        delays = sorted(random.uniform(0, args.arrival) for _ in learners)
        started = time.monotonic()

        async def everyone() -> None:
            await asyncio.gather(*(learner_session(hub.base, lr, d, deadline) for lr, d in zip(learners, delays)))

        async def bounded() -> None:
            try:
                await asyncio.wait_for(everyone(), timeout=args.budget + args.arrival + 30)
            except asyncio.TimeoutError:
                pass  # learners still waiting keep first_choice_s None and count as errors below

        asyncio.run(bounded())
        for lr in learners:
            if lr.first_choice_s is None and not lr.error:
                lr.error = f"no clickable choice within {args.budget:.0f} s"
        wall = time.monotonic() - started
        roles = per_learner_processes(hub)
        busy = {role: cpu_s(procs) for role, procs in roles.items()}
        time.sleep(args.idle)
        idle = {role: (cpu_s(procs) - busy[role]) / args.idle for role, procs in roles.items()}
        rss = {role: rss_mib(procs) for role, procs in roles.items()}
    finally:
        code = hub.stop()
        left = hub.leftovers()
        hub.kill_leftovers()
    ok = [lr for lr in learners if not lr.error]
    errors = [lr for lr in learners if lr.error]
    lines = [f"## {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC: {args.learners} learners log in to "
             f"`./run hub` within {args.arrival:.0f} s (benchmarks/hub_classroom.py)",
             "",
             f"Machine: {os.cpu_count()} cores, shared with other engineers' test runs (load average "
             f"{load_before[0]:.1f} before the run); {platform.python_version()}. "
             + (f"Note: {args.note}. " if args.note else "")
             + "Load generator: one asyncio process (HTTP + kernel websocket), no browsers.",
             ""]
    if ok:
        def row(label: str, vals: list[float]) -> str:
            return f"| {label} | {statistics.median(vals):.1f} | {pct(vals, 0.95):.1f} | {max(vals):.1f} |"
        lines += ["| from the login POST to... (s) | p50 | p95 | max |", "|---|---|---|---|",
                  row("server spawned (hub redirects)", [lr.spawn_s or 0 for lr in ok]),
                  row("replay page received", [lr.page_s or 0 for lr in ok]),
                  row("**first choice clickable**", [lr.first_choice_s or 0 for lr in ok]),
                  row("click round trip (from the click)", [lr.click_s or 0 for lr in ok]), ""]
    lines += [f"Errors: {len(errors)} of {args.learners}"
              + "".join(f"\n- {lr.name}: {lr.error}" for lr in errors[:5])
              + (f"\n- ... {len(errors) - 5} more" if len(errors) > 5 else ""), "",
              f"Wall time of the burst: {wall:.0f} s. Throughput: {len(ok) / wall * 60:.1f} learners/min.", "",
              "Per-learner processes after the burst (RSS MiB median / max; CPU-seconds spent during the "
              "burst per process; idle CPU per process over the next "
              f"{args.idle:.0f} s, in cores):", "",
              "| process | count | RSS median | RSS max | CPU-s in burst (per process) | idle cores (per process) |",
              "|---|---|---|---|---|---|"]
    for role in ("proxy", "voila", "kernel", "hub"):
        n = len(roles[role])
        if n:
            lines.append(f"| {role} | {n} | {statistics.median(rss[role]):.0f} | {max(rss[role]):.0f} | "
                         f"{busy[role] / n:.2f} | {idle[role] / n:.4f} |")
    if ok and roles["voila"]:
        # CPU a learner costs to reach a clickable replay: their proxy, Voila and kernel, plus their
        # share of the hub, its proxy and the culler. The machine's limit is cores / that.
        per = sum(busy[r] / len(roles[r]) for r in ("proxy", "voila", "kernel") if roles[r]) + busy["hub"] / len(ok)
        limit = (os.cpu_count() or 1) / per * 60
        lines += ["", f"CPU per learner to a clickable replay: {per:.2f} CPU-s; this machine's limit: "
                  f"{os.cpu_count()} cores / {per:.2f} = {limit:.1f} learners/min; achieved "
                  f"{len(ok) / wall * 60:.1f} ({len(ok) / wall * 60 / limit:.0%} of it, with the machine shared). "
                  f"Memory per learner with one page open: "
                  f"{sum(statistics.median(rss[r]) for r in ('proxy', 'voila', 'kernel') if rss[r]):.0f} MiB."]
    lines += ["", f"Stop (Ctrl+C): launcher exit code {code}; processes left: {len(left)}.", ""]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    return 0 if not errors and not left else 1


if __name__ == "__main__":
    raise SystemExit(main())
