"""Start and stop a real Voila server for the browser tests, and watch its processes.

The server runs the course's own configuration: the command comes from ``drillbook.serve``
when that module offers a command builder, otherwise it is Voila run from the repository root
(where ``voila.json`` lives, because Voila reads its config from the launch directory).
It runs in its own session so that stopping it can kill the whole process group, and kernels
(which jupyter_client starts in sessions of their own) are found as descendants via ``/proc``.
``benchmarks/_procs.py`` starts its servers with these helpers too (``log_dir`` keeps its logs apart).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "course"
ARTIFACTS = REPO / "test-artifacts"
#: Debian's Chromium and the flags it needs here (no sandbox as root, no GPU, no network of its
#: own), for the browser tests and the benchmarks alike.
CHROMIUM = Path(os.environ.get("DRILLBOOK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# A test run started in the background by a shell without job control (``cmd &`` in a script,
# as some CI runners do) ignores SIGINT, and every server it starts would inherit that: Ctrl+C,
# which the shutdown tests send, would then do nothing. The servers get the default back
# (a handler set here is reset to the default in the child; only "ignore" is inherited).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

#: Runs exactly what ``drillbook.serve.main`` runs (its argv builder and its Voila subclass):
#: ``./run serve`` options up to ``--``, then extra traitlets, e.g. a short kernel-cull timeout.
_LAUNCHER = (
    "import sys\n"
    "from drillbook import serve\n"
    "cut = sys.argv.index('--')\n"
    "args = serve.build_parser().parse_args(sys.argv[1:cut])\n"
    "serve._app_class().launch_instance(argv=serve.voila_argv(args) + sys.argv[cut + 1:])\n"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def course_command(port: int, extra: tuple[str, ...] = (),
                   serve_args: tuple[str, ...] = ()) -> tuple[list[str], Path, str]:
    """``(argv, cwd, how)`` for serving the course on ``127.0.0.1:port`` like ``./run serve``.

    Without extras this is literally ``python -m drillbook.serve --port N [serve_args]`` (the
    README's ``./run serve``, e.g. ``--class-size 3``); with extras the same builder and app
    class run via a short launcher, because ``drillbook.serve`` takes no Voila options on its
    command line.
    """
    if not extra:
        return ([sys.executable, "-m", "drillbook.serve", "--port", str(port), *serve_args], REPO,
                "python -m drillbook.serve " + " ".join(serve_args))
    return ([sys.executable, "-c", _LAUNCHER, "--theme=light", "--port", str(port), *serve_args, "--", *extra],
            REPO, "drillbook.serve.voila_argv + _app_class with extra options")


# -- /proc helpers -----------------------------------------------------------------------------

def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, pgrp) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def alive(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[0] != "Z"


def descendants(root: int) -> set[int]:
    """Every live process below ``root`` (by parent links)."""
    children: dict[int, list[int]] = {}
    for pid in _all_pids():
        st = _stat(pid)
        if st is not None and st[0] != "Z":
            children.setdefault(st[1], []).append(pid)
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def group_members(pgid: int) -> set[int]:
    out = set()
    for pid in _all_pids():
        st = _stat(pid)
        if st is not None and st[0] != "Z" and st[2] == pgid:
            out.add(pid)
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


# -- the server --------------------------------------------------------------------------------


def wait_until_ready(proc: subprocess.Popen[bytes], answers: Callable[[], bool], what: str, base: str,
                     log_text: Callable[[], str], timeout: float) -> None:
    """Poll ``answers()`` until it is true; fail with the log's tail if ``proc`` exits first or
    ``timeout`` passes. One loop for every server the tests start (Voila, the class hub)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before answering; "
                               f"log:\n{log_text()[-3000:]}")
        if answers():
            return
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer on {base} within {timeout:.0f}s; log:\n{log_text()[-3000:]}")


@dataclass
class VoilaServer:
    """One running Voila; ``url(path)`` builds addresses, ``stop()`` leaves nothing behind."""

    name: str
    argv: list[str]
    cwd: Path
    how: str
    port: int
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(default_factory=Path)
    seen: set[int] = field(default_factory=set)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    @classmethod
    def start(cls, name: str, argv: list[str], cwd: Path, how: str, port: int,
              timeout: float = 120.0, env: dict[str, str] | None = None,
              log_dir: Path = ARTIFACTS) -> "VoilaServer":
        log_dir.mkdir(parents=True, exist_ok=True)
        server = cls(name, argv, cwd, how, port, log_path=log_dir / f"voila-{name}.log")
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        with server.log_path.open("wb") as log:
            log.write(("$ " + " ".join(argv) + f"\n(cwd {cwd}; {how})\n").encode())
            log.flush()
            server.proc = subprocess.Popen(argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, env=full_env, start_new_session=True)
        try:
            server._wait_ready(timeout)
        except BaseException:
            server.stop()
            raise
        return server

    def _wait_ready(self, timeout: float) -> None:
        assert self.proc is not None

        def answers() -> bool:
            try:
                # A static path: answering it proves the server is up without starting a kernel
                # (rendering "/" would, when a single notebook is served).
                with urllib.request.urlopen(self.url("/voila/static/ready-probe"), timeout=5) as resp:
                    return bool(resp.status < 500)
            except urllib.error.HTTPError as exc:
                return exc.code < 500
            except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
                return False

        wait_until_ready(self.proc, answers, "Voila", self.base, self.log_text, timeout)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def processes(self) -> set[int]:
        """The server and everything below it (kernels included); remembered for ``stop()``."""
        if self.proc is None:
            return set()
        now = descendants(self.proc.pid) | ({self.proc.pid} if alive(self.proc.pid) else set())
        self.seen |= now
        return now

    def kernel_pids(self) -> set[int]:
        return {pid for pid in self.processes() if "ipykernel" in cmdline(pid)}

    def kernels_waiting_for_learners(self) -> int:
        """How many kernels are warm: their page built, waiting in its footer for a learner's
        request on Voila's ``/voila/query`` websocket (the only TCP connection a kernel makes to
        the server: kernels talk ZeroMQ over Unix sockets, ``voila.json``). A kernel's execution
        state is no test: between its start and its first cell, and between cells on a starved
        machine, a kernel still building its page reads "idle"."""
        waiting = _connections_to(self.port)
        return sum(bool(_socket_inodes(pid) & waiting) for pid in self.kernel_pids())

    def kernel_pid(self, kernel_id: str) -> int | None:
        """The process of the kernel with this id (its connection file is named after it)."""
        found = [pid for pid in self.kernel_pids() if f"kernel-{kernel_id}.json" in cmdline(pid)]
        return found[0] if found else None

    def stop(self) -> None:
        """Terminate the process group and every descendant; kill what is left; verify."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        targets = self.processes() | group_members(pgid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            self.proc.poll()
            if not any(alive(p) for p in targets):
                break
            time.sleep(0.2)
        # Kernels live in their own sessions: whatever survived the group's SIGTERM dies here.
        for pid in targets | group_members(pgid):
            if alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(alive(p) for p in targets | group_members(pgid)):
            time.sleep(0.1)

    def leftovers(self) -> list[str]:
        """Processes of this server still alive (should be empty after ``stop()``)."""
        pgid = self.proc.pid if self.proc else -1
        pids = {p for p in self.seen if alive(p)} | group_members(pgid)
        return [f"{p}: {cmdline(p)[:120]}" for p in sorted(pids)]


def _connections_to(port: int) -> set[str]:
    """Inodes of established TCP connections to 127.0.0.1:``port`` (from ``/proc/net/tcp``)."""
    remote = f"0100007F:{port:04X}"
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[2] == remote and fields[3] == "01":
            found.add(fields[9])
    return found


def _socket_inodes(pid: int) -> set[str]:
    out = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                out.add(target[8:-1])
    except OSError:
        pass
    return out


def start_course_server(name: str, extra: tuple[str, ...] = (), timeout: float = 120.0,
                        env: dict[str, str] | None = None, log_dir: Path = ARTIFACTS,
                        serve_args: tuple[str, ...] = ()) -> VoilaServer:
    port = free_port()
    argv, cwd, how = course_command(port, extra, serve_args)
    return VoilaServer.start(name, argv, cwd, how, port, timeout=timeout, env=env, log_dir=log_dir)


def start_voila_on(name: str, target: Path, extra: tuple[str, ...] = (), cwd: Path | None = None,
                   timeout: float = 120.0, env: dict[str, str] | None = None,
                   log_dir: Path = ARTIFACTS) -> VoilaServer:
    """A bare Voila on a throwaway notebook or folder (for tests that need their own content)."""
    port = free_port()
    argv = [sys.executable, "-m", "voila", str(target), f"--port={port}", "--no-browser",
            "--Voila.ip=127.0.0.1", *extra]
    return VoilaServer.start(name, argv, cwd or target.parent, "voila on a test notebook", port,
                             timeout=timeout, env=env, log_dir=log_dir)
