"""Start and stop ``./run hub`` (``python -m drillbook.hub``) for the hub test and the hub benchmark.

The hub runs exactly as ``./run hub`` runs it, on free 127.0.0.1 ports, with its state (hub
database, learners' homes, the class store) in a folder the caller owns. It runs in a session of
its own; ``stop()`` does what Ctrl+C does (SIGINT to the launcher) and then reports which of the
processes seen while it ran are still alive, before anything is force-killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ._server import REPO, alive, cmdline, descendants, free_port, group_members, wait_until_ready

CHP = REPO / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy"


@dataclass
class Hub:
    port: int
    state: Path
    store: Path
    proc: subprocess.Popen[bytes]
    log_path: Path
    seen: set[int] = field(default_factory=set)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @classmethod
    def start(cls, state: Path, log_dir: Path, idle_timeout: int = 3600, timeout: float = 120.0) -> "Hub":
        if not CHP.exists():
            raise RuntimeError(f"{CHP} is missing: `./run test` and `./run hub` install it "
                               "(npm install --prefix .hub configurable-http-proxy)")
        state.mkdir(parents=True, exist_ok=True)
        log_dir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        store = state / "class.sqlite3"
        log_path = log_dir / "hub.log"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "DRILLBOOK_DB": str(store)}
        argv = [sys.executable, "-m", "drillbook.hub", "--port", str(port), "--state-dir", str(state),
                "--idle-timeout", str(idle_timeout)]
        with log_path.open("wb") as log:
            proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        hub = cls(port, state, store, proc, log_path)
        try:
            hub._wait_ready(timeout)
        except BaseException:
            hub.stop()
            hub.kill_leftovers()
            raise
        return hub

    def _wait_ready(self, timeout: float) -> None:
        def answers() -> bool:
            if "the class hub is at" not in self.log_text():
                return False
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                with urllib.request.urlopen(self.base + "hub/health", timeout=5) as resp:
                    return resp.status == 200
            return False

        wait_until_ready(self.proc, answers, "the hub", self.base, self.log_text, timeout)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def processes(self) -> set[int]:
        """The launcher and everything below it (hub, proxy, culler, learners' servers, kernels)."""
        now = descendants(self.proc.pid) | ({self.proc.pid} if alive(self.proc.pid) else set())
        self.seen |= now
        return now

    def matching(self, needle: str) -> set[int]:
        return {pid for pid in self.processes() if needle in cmdline(pid)}

    def stop(self, timeout: float = 90.0) -> int | None:
        """Ctrl+C, as an instructor stops it; the launcher's exit code (None if it hung)."""
        self.processes()
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def leftovers(self) -> list[str]:
        """Processes seen while the hub ran that are still alive (should be none after stop())."""
        pids = {p for p in self.seen if alive(p)} | group_members(self.proc.pid)
        return [f"{p}: {cmdline(p)[:120]}" for p in sorted(pids)]

    def kill_leftovers(self) -> None:
        """Clean-up after a failure: nothing of this hub may outlive the test."""
        for pid in {p for p in self.seen if alive(p)} | group_members(self.proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
