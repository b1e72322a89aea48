"""``./run hub``: try the classroom set-up on one machine, JupyterHub in front of the course.

Runs JupyterHub with ``deploy/jupyterhub/jupyterhub_config.py`` on 127.0.0.1 (dummy login:
any name, no password; one local process per learner, each the course in Voila). The hub's
own API and its proxy's API take free ports, so several hubs (tests, engineers) can share a
machine. On Ctrl+C the hub stops every learner's server; this launcher then makes sure no
process it started outlives it: it is the *child subreaper* of everything below it, so even a
process whose parent died is still found and stopped here.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from .content import content_root
from .serve import HOST, _port

#: The hub's config and its npm proxy live in the repository (``./run hub`` runs from a checkout).
CONFIG = content_root() / "deploy" / "jupyterhub" / "jupyterhub_config.py"
HUB_DIR = content_root() / ".hub"
CHP = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
DEFAULT_PORT = 8000
_PR_SET_CHILD_SUBREAPER = 36


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="./run hub", description="Serve the course to a class through JupyterHub.")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port on {HOST} (default: {DEFAULT_PORT})")
    parser.add_argument("--state-dir", type=Path, default=HUB_DIR / "state",
                        help="hub database, learners' homes and the class store (default: .hub/state)")
    parser.add_argument("--idle-timeout", type=int, default=3600,
                        help="seconds without use before a learner's server is stopped (default: 3600)")
    return parser


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def hub_command(port: int, api_port: int, proxy_api_port: int) -> list[str]:
    """JupyterHub with the repository's config; only the ports are set here."""
    return [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG),
            f"--JupyterHub.bind_url=http://{HOST}:{port}",
            f"--JupyterHub.hub_bind_url=http://{HOST}:{api_port}",
            f"--ConfigurableHTTPProxy.api_url=http://{HOST}:{proxy_api_port}"]


def hub_environment(args: argparse.Namespace) -> dict[str, str]:
    state = args.state_dir.resolve()
    env = {**os.environ, "DRILLBOOK_HUB_STATE": str(state), "DRILLBOOK_HUB_IDLE": str(args.idle_timeout)}
    # The class's one store: an explicit DRILLBOOK_DB wins, else it lives with the hub's state.
    env.setdefault("DRILLBOOK_DB", str(state / "class.sqlite3"))
    return env


def become_subreaper() -> None:
    """Orphans below this process are re-parented to it (Linux), so none escapes the sweep."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    return False


def sweep(grace: float = 10.0) -> list[str]:
    """Stop every process still below this one; returns what had to be stopped."""
    import psutil  # type: ignore[import-untyped,unused-ignore]  # typed only by types-psutil

    left = [p for p in psutil.Process().children(recursive=True) if p.is_running()]
    names = []
    for proc in left:
        with contextlib.suppress(psutil.Error):
            names.append(f"{proc.pid} {' '.join(proc.cmdline())[:100]}")
            proc.terminate()
    _gone, alive = psutil.wait_procs(left, timeout=grace)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=5)
    return names


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    chp = Path(os.environ.get("DRILLBOOK_CHP") or CHP)
    if not CONFIG.is_file():
        print(f"drillbook: {CONFIG} is missing; ./run hub runs from a checkout of the repository",
              file=sys.stderr)
        return 1
    if not chp.exists():
        print(f"drillbook: {chp} is missing; `./run hub` installs it (npm install --prefix .hub "
              "configurable-http-proxy)", file=sys.stderr)
        return 1
    become_subreaper()
    args.state_dir.mkdir(parents=True, exist_ok=True)
    api_port, proxy_api_port = free_port(), free_port()
    env = hub_environment(args)
    env["DRILLBOOK_CHP"] = str(chp)
    # A session of its own: Ctrl+C reaches only this launcher, which asks the hub once to stop
    # (a second signal makes JupyterHub start its clean-up twice, and fail half of it).
    hub = subprocess.Popen(hub_command(args.port, api_port, proxy_api_port), cwd=args.state_dir, env=env,
                           stdin=subprocess.DEVNULL, start_new_session=True)

    def stop(signum: int, _frame: FrameType | None) -> None:
        # The hub stops the learners' servers and its proxy on SIGTERM (cleanup_servers).
        with contextlib.suppress(ProcessLookupError):
            hub.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        url = f"http://{HOST}:{args.port}/"
        if wait_until_up(url + "hub/health", hub):
            print(f"drillbook: the class hub is at {url}\n"
                  "  log in with any name and no password: each name gets its own course server;\n"
                  "  'instructor' is the hub admin (/hub/admin lists who is running).\n"
                  f"  notes and progress of the whole class: {env['DRILLBOOK_DB']}\n"
                  "  Ctrl+C stops the hub and every learner's server.", flush=True)
        code = hub.wait()
    finally:
        if hub.poll() is None:
            hub.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                hub.wait(timeout=60)
        left = sweep()
        if left:
            print(f"drillbook: stopped {len(left)} process(es) the hub left behind: {left}", file=sys.stderr)
    return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code


if __name__ == "__main__":
    raise SystemExit(main())
