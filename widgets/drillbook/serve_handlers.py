"""Fixes to Voila 0.5's own request handlers, applied by ``drillbook.serve``.

* A page that needs a kernel of its own (no warm kernel left in the pool, or no pool) waits for
  one of a few slots (:data:`drillbook.pool.STARTS`) instead of starting its kernel alongside
  every other learner's at once.
* Closing a tab should free its kernel at once. Voila's page sends a ``beforeunload`` beacon to
  ``/voila/api/shutdown/<kernel>`` carrying the ``_xsrf`` cookie, but the render page never sets
  that cookie, so the server refuses the beacon (403) and the kernel lives until the culler takes
  it. The render handler here sets the cookie.
* A pool kernel counts as warm once its footer opens ``/voila/query/<kernel>`` (the page is
  built and waits for its learner): the query handler reports that to
  :data:`drillbook.pool.FOOTERS`, so the pool warms a few kernels at a time.
* ``/voila/templates/...`` is Voila's template-static handler; on paths that are not
  ``<template>/static/<file>`` or that climb out with ``..`` it raises (500). Here they get 404.

Imported only when the server starts: it needs tornado and Voila, which ``--help`` does not.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import tornado.web
from voila.request_info_handler import RequestInfoSocketHandler
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from .pool import FOOTERS, STARTS

_TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_-]+")


class RenderHandler(TornadoVoilaHandler):  # type: ignore[misc]
    """Voila's notebook page, plus the ``_xsrf`` cookie its own unload beacon needs, and kernel
    starts queued when the pool has no warm kernel for the page."""

    async def get(self, path: str | None = None) -> None:
        notebook = self.notebook_path or path
        try:
            warm = self.kernel_manager.get_pool_size(notebook) > 0
        except AttributeError:  # a kernel manager without pools
            warm = False
        if warm:
            await super().get(path)
            return
        async with STARTS.page():
            await super().get(path)

    async def prepare(self, *args: Any, **kwargs: Any) -> None:
        result = super().prepare(*args, **kwargs)
        if inspect.isawaitable(result):
            await result
        self.xsrf_token  # noqa: B018 - reading the token is what sets the cookie in tornado


class QuerySocketHandler(RequestInfoSocketHandler):  # type: ignore[misc]
    """Voila's ``/voila/query/<kernel>`` websocket, which a warm kernel's footer opens to wait
    for its request: the moment its page is built."""

    def open(self, kernel_id: str) -> None:
        super().open(kernel_id)
        FOOTERS.reached(kernel_id)


class TemplateStaticHandler(TemplateStaticFileHandler):  # type: ignore[misc]
    """Voila's template-static handler that answers 404 to anything but ``<name>/static/<file>``."""

    def parse_url_path(self, path: str) -> str:
        parts = path.split("/")
        if (len(parts) < 3 or parts[1] != "static" or not _TEMPLATE_NAME.fullmatch(parts[0])
                or any(part in ("", ".", "..") or "\\" in part for part in parts[2:])):
            raise tornado.web.HTTPError(404)
        try:
            return str(super().parse_url_path(path))
        except ValueError:  # an unknown template name
            raise tornado.web.HTTPError(404) from None


_REPLACEMENTS: dict[type, type] = {
    TornadoVoilaHandler: RenderHandler,
    TemplateStaticFileHandler: TemplateStaticHandler,
    RequestInfoSocketHandler: QuerySocketHandler,
}


def patch_rules(rules: list[Any]) -> list[Any]:
    """Voila's handler rules with the handlers above swapped in; everything else as is."""
    patched = []
    for rule in rules:
        if isinstance(rule, tuple) and len(rule) >= 2 and rule[1] in _REPLACEMENTS:
            rule = (rule[0], _REPLACEMENTS[rule[1]], *rule[2:])
        patched.append(rule)
    return patched
