"""Who is playing: the name a learner's notes and progress are kept under.

A page's ``?name=`` wins (a study group can still sign notes by hand). Under JupyterHub each
learner has a server of their own, started with the hub user name in ``JUPYTERHUB_USER``, so
there the learner is known without asking: ``./run hub`` and the Kubernetes deployment rely on
it to keep every learner's run apart in the class's one store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

HUB_USER = "JUPYTERHUB_USER"


def learner_name(params: Mapping[str, str]) -> str:
    """The learner's name from the page's query parameters, else the hub user, else ``""``."""
    return params.get("name", "").strip() or os.environ.get(HUB_USER, "").strip()
