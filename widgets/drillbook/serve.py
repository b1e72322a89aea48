"""``./run serve``: the course as a Voila app on 127.0.0.1, landing on the welcome notebook.

Voila serves the ``course/`` folder (so notebooks link to each other as siblings under
``/voila/render/``) with the course's ``voila.json`` (no tracebacks, kernel culling, images
only under ``/voila/files/``). Two routes are added in front of Voila's own: ``/`` and the
directory listing ``/voila/tree`` redirect to the welcome page, so learners start at the
beginning and never see a file browser. Kernels are preheated (:mod:`drillbook.pool`): one
per notebook by default, ``--class-size N`` for a class.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import pool
from .content import config_dir, course_dir
from .course import default_course

#: A Jupyter data directory shipped inside the package: it holds the ``drillbook`` Voila
#: template (the lab template without its CDN stylesheets).
SHARE = Path(__file__).resolve().parent / "share"
TEMPLATE = "drillbook"
DEFAULT_PORT = 8866
HOST = "127.0.0.1"
#: Each warm replay kernel holds ~100 MB RSS; past this a class belongs on JupyterHub (deploy/).
MAX_CLASS_SIZE = 200


def build_parser(prog: str = "./run serve") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Serve the drillbook course with Voila.")
    parser.add_argument("--theme", choices=("light", "dark"), default="light", help="page theme (default: light)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port on {HOST} (default: {DEFAULT_PORT})")
    parser.add_argument("--open", action="store_true", help="open the course in a web browser")
    parser.add_argument("--class-size", type=_class_size, default=None, metavar="N",
                        help="keep N replay kernels (and a few for every other notebook) preheated "
                             "for a class opening the course at once; 0 turns the pool off "
                             "(default: one warm kernel per notebook)")
    return parser


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port between 1 and 65535")
    return value


def _class_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of learners") from None
    if not 0 <= value <= MAX_CLASS_SIZE:
        raise argparse.ArgumentTypeError(f"{value} is not a class size between 0 and {MAX_CLASS_SIZE}")
    return value


def voila_argv(args: argparse.Namespace) -> list[str]:
    """The command line handed to Voila (also what the tests check)."""
    argv = [
        str(course_dir()),
        f"--Voila.ip={HOST}",
        f"--port={args.port}",
        "--Voila.port_retries=0",  # the printed URL must be the real one
        f"--theme={args.theme}",
        f"--template={TEMPLATE}",
        f"--Voila.config_file_paths={config_dir()}",
        # the drillbook template titles each page from course.yaml (drillbook.course.page_title)
        "--VoilaExporter.filters=course_page_title=drillbook.course.page_title",
        *pool.voila_options(args.class_size),
    ]
    if not args.open:
        argv.append("--no-browser")
    return argv


def landing_page() -> str:
    """The welcome notebook: the first entry of the course's table of contents."""
    return default_course().entries[0].file


def precompile_package() -> None:
    """Write drillbook's bytecode once, before any kernel imports the package.

    Every page view starts a kernel that imports drillbook. Where Python writes no bytecode
    (``PYTHONDONTWRITEBYTECODE``, common in containers; pip does not compile editable
    installs), every kernel compiled the package's modules from source again: ~60 ms of each
    page load on the 2-core benchmark machine (benchmarks/RESULTS.md). Up-to-date files are
    skipped and a read-only install is left as it is; Python still checks each file's
    timestamp, so an edited module is never run from stale bytecode.
    """
    import compileall

    try:
        compileall.compile_dir(str(Path(__file__).resolve().parent), quiet=2)
    except OSError:
        pass


def _app_class() -> Any:
    """A Voila subclass with the landing redirects; imported lazily so ``--help`` stays fast."""
    import tornado.ioloop
    import tornado.web
    from jupyter_server.utils import url_path_join
    from traitlets import Int
    from voila.app import Voila

    from .serve_handlers import patch_rules

    class CourseVoila(Voila):  # type: ignore[misc]
        name = "drillbook-voila"
        replay_pool_size = Int(0, config=True, help="preheated kernels kept for the incident replay")

        def initialize(self, argv: Any = None) -> None:
            super().initialize(argv)
            conf = self.voila_configuration
            if conf.preheat_kernel and self.replay_pool_size > 0:
                # read by the kernel manager Voila creates in start()
                self.config.VoilaKernelManager.kernel_pools_config = pool.kernel_pools_config(
                    self.replay_pool_size, conf.default_pool_size)
            if conf.preheat_kernel:
                # a warm kernel waits in the cell that reads the query: no time limit there
                limit = self.config.VoilaExecutor.get("timeout")
                self.config.VoilaExecutor.timeout_func = functools.partial(pool.cell_timeout, timeout=limit)

        def setup_template_dirs(self) -> None:
            # Voila finds templates only in Jupyter data directories; ours travels with the package.
            os.environ["JUPYTER_PATH"] = os.pathsep.join(
                p for p in (str(SHARE), os.environ.get("JUPYTER_PATH", "")) if p)
            super().setup_template_dirs()

        def init_handlers(self) -> list[Any]:
            # base_url: behind a proxy that strips a prefix (JupyterHub) the browser needs it back.
            target = url_path_join(self.base_url, "voila/render", landing_page())
            redirect = (tornado.web.RedirectHandler, {"url": target, "permanent": False})
            front = [
                (self.server_url.rstrip("/") + "/?", *redirect),
                (url_path_join(self.server_url, r"/voila/tree(?:/.*)?"), *redirect),
            ]
            return front + patch_rules(list(super().init_handlers()))

        def init_settings(self) -> Any:
            import voila.app as voila_app

            # Voila builds its kernel manager class here, from this module-level factory
            original = voila_app.voila_kernel_manager_factory
            voila_app.voila_kernel_manager_factory = pool.with_course_pools(original)
            try:
                return super().init_settings()
            finally:
                voila_app.voila_kernel_manager_factory = original

        def start(self) -> None:
            precompile_package()  # before the first kernel starts
            super().start()

        def listen(self) -> None:
            tornado.ioloop.IOLoop.current().add_callback(self._announce)
            super().listen()

        def _announce(self) -> None:
            print(f"drillbook: the course is at http://{HOST}:{self.port}/  (Ctrl+C stops it)", flush=True)

    return CourseVoila


def main(argv: Sequence[str] | None = None, prog: str = "./run serve") -> int:
    args = build_parser(prog).parse_args(argv)
    if not (course_dir() / landing_page()).is_file():
        print(f"drillbook: {course_dir() / landing_page()} is missing", file=sys.stderr)
        return 1
    app = _app_class()
    app.launch_instance(argv=voila_argv(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
