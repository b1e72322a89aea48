"""Who is playing: the name a learner's notes and progress are kept under, read from the page's
address (Voila passes the query string to the kernel as ``QUERY_STRING``) and the server it runs on.

A page's ``?name=`` wins (a study group can still sign notes by hand). Under JupyterHub each
learner has a server of their own, started with the hub user name in ``JUPYTERHUB_USER``, so
there the learner is known without asking: ``./run hub`` and the Kubernetes deployment rely on
it to keep every learner's run apart in the class's one store. No widgets here: the navigation
header records visits through this module without loading the views.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from .errors import DrillbookError
from .query import query_params

HUB_USER = "JUPYTERHUB_USER"
log = logging.getLogger("drillbook.ui")


def learner_name(params: Mapping[str, str]) -> str:
    """The learner's name from the page's query parameters, else the hub user, else ``""``."""
    return params.get("name", "").strip() or os.environ.get(HUB_USER, "").strip()


def on_shared_server() -> bool:
    """Voila serves many learners from one account: there, runs are remembered only under a
    name (``?name=`` or the hub user), so one learner never resumes another's run."""
    return "VOILA_KERNEL_ID" in os.environ or "VOILA_BASE_URL" in os.environ


def learner_identity(params: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """``(group, name)`` whose progress this page keeps, or None for an anonymous learner on a
    shared server (nobody to keep it for). In a private notebook the one learner is ``("", "")``
    unless the address (or the hub) names them."""
    params = query_params() if params is None else params
    group, name = params.get("group", "").strip(), learner_name(params)
    if not name and on_shared_server():
        return None
    return group, name


def record_visit(page: str, params: Mapping[str, str] | None = None) -> None:
    """Remember that this learner opened ``page`` (for the welcome page's progress). Never
    gets in the page's way: a failure is logged for whoever runs the course, nothing more."""
    who = learner_identity(params)
    if who is None:
        return
    from .store import Learner, Store

    try:
        store = Store()
        try:
            store.record_visit(page, Learner(*who))
        finally:
            store.close()
    except DrillbookError as exc:
        log.info("visit to %s not recorded: %s", page, exc)
