"""A learner's own server under JupyterHub: the course exactly as ``./run serve`` serves it,
mounted under the prefix the hub gives that learner (``/user/<name>/``).

JupyterHub starts ``jhsingle-native-proxy`` for each learner (``deploy/jupyterhub/
jupyterhub_config.py``); the proxy checks the learner's hub login, strips the prefix and runs
this module on a free local port. So Voila's routes stay at ``/`` (``Voila.server_url``) while
every URL its pages write points under the prefix (``Voila.base_url``). Everything else (the
course's ``voila.json``, template, landing redirects, kernel pool options) comes from
:mod:`drillbook.serve`, unchanged.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import serve


def _prefix(text: str) -> str:
    if not (text.startswith("/") and text.endswith("/")):
        raise argparse.ArgumentTypeError(f"'{text}' is not a URL prefix like /user/ana/")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = serve.build_parser()
    parser.prog = "python -m drillbook.singleuser"
    parser.description = "Serve the drillbook course as one learner's JupyterHub server."
    parser.add_argument("--base-url", type=_prefix, required=True,
                        help="the URL prefix the hub routes to this server, e.g. /user/ana/")
    # One learner per server: ./run serve's default pool (a warm kernel for each of 9 notebooks,
    # ~0.65 GB) would multiply every learner's memory; a kernel per page, as measured for the hub.
    parser.set_defaults(class_size=0)
    return parser


def voila_argv(args: argparse.Namespace) -> list[str]:
    """``./run serve``'s Voila command line, with routes at ``/`` and links under the prefix."""
    return [*serve.voila_argv(args), f"--Voila.base_url={args.base_url}", "--Voila.server_url=/"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    serve._app_class().launch_instance(argv=voila_argv(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
