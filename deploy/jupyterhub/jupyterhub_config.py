"""JupyterHub for a class: every learner gets a server of their own that is the course in Voila.

``./run hub`` runs this file on one machine (dummy login, local processes); it also works as
``jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`` from the repository root.

Why standalone Voila under jhsingle-native-proxy, not Voila's server extension
(``Spawner.default_url = "/voila/render/index.ipynb"`` on ``jupyterhub-singleuser``):

* the learner's server is exactly ``./run serve``: the course's ``voila.json`` (no tracebacks,
  kernel culling, image-only file allowlist), its template, its landing redirects and the
  preheated kernel pool (Voila disables the pool when it runs as a server extension);
* a learner reaches nothing but the course: the extension route also serves JupyterLab, a file
  browser, terminals and the contents API of the learner's account;
* the proxy still checks the learner's hub login (OAuth) and reports activity to the hub, so the
  idle culler below sees real use.

Settings come from the environment, so one file serves ``./run hub``, the tests and a hand start:

``DRILLBOOK_HUB_STATE``      folder for the hub's database, cookie secret, learners' homes and the
                             class store (default ``<repo>/.hub/state``)
``DRILLBOOK_DB``             the class's one notes/progress store every learner's server writes
                             (default ``$DRILLBOOK_HUB_STATE/class.sqlite3``)
``DRILLBOOK_HUB_IDLE``       seconds without use before the culler stops a learner's server (3600)
``DRILLBOOK_CHP``            the configurable-http-proxy command (default: ``.hub/node_modules``)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - injected by JupyterHub

REPO = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("DRILLBOOK_HUB_STATE", REPO / ".hub" / "state")).resolve()
CLASS_DB = Path(os.environ.get("DRILLBOOK_DB") or STATE / "class.sqlite3").resolve()
IDLE_SECONDS = int(os.environ.get("DRILLBOOK_HUB_IDLE", "3600"))
CHP = os.environ.get("DRILLBOOK_CHP") or str(REPO / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy")
STATE.mkdir(parents=True, exist_ok=True)
CLASS_DB.parent.mkdir(parents=True, exist_ok=True)

# -- the hub and its proxy: 127.0.0.1 only (./run hub overrides the ports on its command line) ---
c.JupyterHub.bind_url = "http://127.0.0.1:8000"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:8081"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:8001"
c.ConfigurableHTTPProxy.command = [CHP]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server
c.JupyterHub.cleanup_proxy = True

# -- login: any name, no password (a classroom trial; use a real authenticator for a real class) --
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {"instructor"}  # /hub/admin lists who is running

# -- each learner's server: the course in standalone Voila behind jhsingle-native-proxy ---------
c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: a process per learner, no OS users
c.Spawner.ip = "127.0.0.1"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [
    sys.executable, "-m", "drillbook.hubproxy",  # jhsingle-native-proxy, fixed for tornado 6.6
    "--ip=127.0.0.1",  # its port comes from JUPYTERHUB_SERVICE_URL, set by the spawner
    "--destport=0",  # Voila on a free port of its own
    "--authtype=oauth",  # only the learner who owns the server gets in
    "--ready-check-path=/voila/static/ready-probe",  # answers at once; "/" would start a kernel
    "--ready-timeout=120",  # Voila starts on the first request; on a busy machine that is slow
    "--last-activity-interval=60",
    "--no-force-alive",  # report real use only, or the idle culler would never cull
    "--",
    sys.executable, "-m", "drillbook.singleuser", "--port={port}", "--base-url={base_url}/",
]
c.Spawner.environment = {"DRILLBOOK_DB": str(CLASS_DB)}  # one store for the whole class
c.Spawner.start_timeout = 180  # a class logging in at once queues spawns on few cores
c.Spawner.http_timeout = 180

# -- idle culler: a hub-managed service with only the scopes it needs --------------------------
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_SECONDS}",
                f"--cull-every={max(60, IDLE_SECONDS // 6)}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
