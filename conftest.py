"""Every test session (pytest over tests/ and nbval over course/) writes notes and progress to
a fresh temporary database, never to the learner's own ``~/.local/share/drillbook``."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_session_dir = tempfile.mkdtemp(prefix="drillbook-test-")
os.environ["DRILLBOOK_DB"] = os.path.join(_session_dir, "drillbook.sqlite3")
atexit.register(shutil.rmtree, _session_dir, ignore_errors=True)
