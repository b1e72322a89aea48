"""The classroom benchmark's load generator (``benchmarks/_protocol.py``) against a real server:
one simulated learner opens the replay, gets every widget's state over the kernel websocket and
presses a choice button with the same comm message ipywidgets' front end sends; the kernel's
widget state must change the way a learner would see it. The benchmark itself is not a test."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator

import pytest

from ._aio import run
from .browser._server import VoilaServer, start_course_server
from .conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import _protocol as proto  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    db = tmp_path_factory.mktemp("store") / "drillbook.sqlite3"
    course = start_course_server("bench-protocol", env={"DRILLBOOK_DB": str(db)})
    try:
        yield course
    finally:
        course.stop()
    assert not course.leftovers()


def _says(states: dict[str, object], text: str) -> bool:
    return any(text in json.dumps(model) for model in states.values())


@pytest.mark.timeout(300)
def test_one_learner_click_changes_widget_state(server: VoilaServer) -> None:
    page = proto.replay_page("instructor=1")

    async def play() -> tuple[dict[str, object], dict[str, object], list[dict[str, object]]]:
        html = await proto.fetch_page(server.base, page.url_for(7), 120)
        kernel = proto.kernel_id_of(html)
        sock = await proto.KernelSocket.open(server.base.replace("http", "ws", 1), kernel, 30)
        try:
            deadline = time.monotonic() + 120
            before = await proto.widget_states(sock, deadline)
            updates = await proto.click(sock, proto.find_button(before, page), page.expect, deadline)
            after = await proto.widget_states(sock, deadline)
        finally:
            sock.close()
        return before, after, updates

    before, after, updates = run(play())
    assert len(before) > 20 and not _says(before, "you chose B)")
    assert updates and _says(after, "Round 1, you chose B)")
    assert _says(after, "Round 2 of")  # the replay moved on to the next round
    toggle = [m for m in before.values() if isinstance(m, dict) and m["state"].get("description") == "Instructor view"]
    assert [m["state"]["value"] for m in toggle] == [True]  # ?instructor=1 reached the kernel
    assert page.url_for(7).endswith("?instructor=1&name=learner-7&group=bench")


@pytest.mark.timeout(300)
def test_class_of_one_reports_every_figure(server: VoilaServer) -> None:
    [result] = run(proto.class_of(server.base, proto.replay_page(), 1, 0.0, 120))
    assert result.error is None, result.error
    assert result.html_s is not None and result.full_s is not None and result.click_s is not None
    assert 0 < result.html_s <= result.full_s and result.widgets > 20 and result.kernel_id
