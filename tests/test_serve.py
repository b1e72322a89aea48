"""``./run serve``: the repository's Voila configuration, the argument handling, and one real
start of the server that fetches ``/`` and finds the welcome page."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest

from drillbook import serve
from drillbook.content import course_dir
from drillbook.course import page_title

from .browser._server import start_course_server
from .conftest import REPO

CONFIG = json.loads((REPO / "voila.json").read_text(encoding="utf-8"))


def test_tracebacks_are_off_and_errors_are_friendly() -> None:
    assert CONFIG["VoilaConfiguration"]["show_tracebacks"] is False
    assert CONFIG["VoilaExecutor"]["show_tracebacks"] is False
    assert "--debug" not in CONFIG["VoilaExecutor"]["cell_error_instruction"]
    assert "Reload the page" in CONFIG["VoilaExecutor"]["cell_error_instruction"]


def test_idle_kernels_are_culled_even_with_an_open_tab() -> None:
    culling = CONFIG["MappingKernelManager"]
    assert 0 < culling["cull_interval"] < culling["cull_idle_timeout"] <= 3600
    assert culling["cull_connected"] is True


@pytest.mark.parametrize("path,served", [
    ("img/bonding-modes.svg", True),
    ("img/rack-redundancy.png", True),
    ("index.ipynb", False),
    ("quizzes/linux-ops.yaml", False),
    ("course.yaml", False),
    ("img/../index.ipynb", False),
    ("img/x.svg.py", False),
    ("../widgets/drillbook/serve.py", False),
    ("notes.sqlite3", False),
])
def test_file_allowlist_serves_course_images_only(path: str, served: bool) -> None:
    """The same check Voila's AllowListFileHandler makes (fullmatch, allow and not deny)."""
    conf = CONFIG["VoilaConfiguration"]
    allowed = any(re.fullmatch(p, path, re.IGNORECASE) for p in conf["file_allowlist"])
    denied = any(re.fullmatch(p, path, re.IGNORECASE) for p in conf["file_denylist"])
    assert (allowed and not denied) is served


def test_voila_loads_the_repository_config() -> None:
    """Voila itself (not just this test) reads voila.json through serve's command line."""
    app = serve._app_class()()
    app.initialize(serve.voila_argv(serve.build_parser().parse_args(["--port", "8999"])))
    assert app.voila_configuration.show_tracebacks is False
    assert app.voila_configuration.file_allowlist == CONFIG["VoilaConfiguration"]["file_allowlist"]
    assert app.config.MappingKernelManager.cull_connected is True
    assert app.root_dir == str(course_dir())
    assert app.ip == "127.0.0.1" and app.port == 8999


def test_arguments_default_to_light_theme_and_port_8866() -> None:
    argv = serve.voila_argv(serve.build_parser().parse_args([]))
    assert argv[0] == str(course_dir())
    assert "--theme=light" in argv and "--port=8866" in argv and "--no-browser" in argv
    assert "--Voila.ip=127.0.0.1" in argv and f"--Voila.config_file_paths={REPO}" in argv


def test_dark_theme_port_and_open() -> None:
    argv = serve.voila_argv(serve.build_parser().parse_args(["--theme", "dark", "--port", "9001", "--open"]))
    assert "--theme=dark" in argv and "--port=9001" in argv and "--no-browser" not in argv


@pytest.mark.parametrize("bad", [["--theme", "blue"], ["--port", "http"], ["--port", "70000"], ["--port", "0"], ["extra"]])
def test_bad_arguments_exit_with_usage(bad: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        serve.main(bad)
    assert caught.value.code == 2
    assert "usage: ./run serve" in capsys.readouterr().err


def test_landing_page_is_the_first_notebook() -> None:
    assert serve.landing_page() == "index.ipynb"


@pytest.mark.timeout(180)
def test_real_server_redirects_to_the_welcome_page() -> None:
    server = start_course_server("test-serve")
    try:
        with urllib.request.urlopen(server.url("/"), timeout=120) as resp:
            assert resp.url == server.url("/voila/render/index.ipynb")
            page = resp.read().decode("utf-8")
        assert "Welcome to drillbook" in page
        # outputs travel as JSON inside the page, so quotes may be escaped
        assert "db-root db-nav" in page and "primer-datacenter-hardware.ipynb" in page
        assert "Traceback" not in page and "header(" not in page  # sources stripped
        # Works offline: every stylesheet and script comes from this server (no CDN), and is served.
        assets = re.findall(r'<(?:link[^>]*\bhref|script[^>]*\bsrc)="([^"]+)"', page)
        assert any("/voila/templates/drillbook/static/" in a for a in assets), assets
        for asset in assets:
            assert asset.startswith(("/", "data:")), f"external asset in the page: {asset}"
            if asset.startswith("/"):
                with urllib.request.urlopen(server.url(asset), timeout=30) as resp:
                    assert resp.status == 200 and resp.read(1), asset
        with urllib.request.urlopen(server.url("/voila/tree"), timeout=60) as resp:
            assert resp.url.endswith("/voila/render/index.ipynb")
            resp.read()
        with urllib.request.urlopen(server.url("/voila/files/img/bonding-modes.svg"), timeout=30) as resp:
            assert resp.read().startswith(b"<svg")
        for path in ("/voila/files/index.ipynb", "/voila/files/quizzes/linux-ops.yaml"):
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(server.url(path), timeout=30)
            assert caught.value.code == 403
            caught.value.close()
        assert "drillbook: the course is at http://127.0.0.1:" in server.log_text()
    finally:
        server.stop()
    assert server.leftovers() == []


# -- preheated kernels (drillbook.pool) ---------------------------------------------------------

def _initialized(args: list[str]) -> Any:
    app = serve._app_class()()
    app.initialize(serve.voila_argv(serve.build_parser().parse_args(["--port", "8999", *args])))
    return app


@pytest.mark.parametrize("args,replay,other", [([], 1, 1), (["--class-size", "30"], 30, 3),
                                               (["--class-size", "1"], 1, 1), (["--class-size", "12"], 12, 2)])
def test_pool_is_on_by_default_and_sized_by_class(args: list[str], replay: int, other: int) -> None:
    app = _initialized(args)
    conf = app.voila_configuration
    assert conf.preheat_kernel is True and conf.default_pool_size == other
    assert not conf.progressive_rendering and conf.prelaunch_hook is None  # both refuse preheat
    assert app.config.VoilaKernelManager.kernel_pools_config == {
        "incident-replay.ipynb": {"pool_size": replay}, "default": {"pool_size": other}}
    assert app.replay_pool_size == replay


def test_class_size_zero_turns_the_pool_off() -> None:
    app = _initialized(["--class-size", "0"])
    assert app.voila_configuration.preheat_kernel is False
    assert "kernel_pools_config" not in app.config.VoilaKernelManager
    assert "timeout_func" not in app.config.VoilaExecutor


def test_warm_kernels_may_wait_in_the_cell_that_reads_the_query() -> None:
    """voila.json limits every cell to two minutes; a warm kernel builds the whole page, then
    waits for its learner in the page's footer (its last cell, tagged in the notebook) without
    limit, and every other cell keeps the limit."""
    import nbformat

    limit = CONFIG["VoilaExecutor"]["timeout"]
    timeout_func = _initialized([]).config.VoilaExecutor.timeout_func
    pages = sorted(course_dir().glob("*.ipynb"))
    assert len(pages) >= 10
    for path in pages:  # every page waits for its request in its footer, and in that cell only
        page = nbformat.read(path, as_version=4)
        code = [cell for cell in page.cells if cell.cell_type == "code"]
        assert "header(" in code[0].source and "footer(" in code[-1].source, path.name
        assert [timeout_func(cell) for cell in code] == [limit] * (len(code) - 1) + [None], path.name


@pytest.mark.parametrize("bad", ["-1", "many", "201"])
def test_bad_class_size_exits_with_usage(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        serve.main(["--class-size", bad])
    assert caught.value.code == 2
    assert "--class-size" in capsys.readouterr().err


def test_page_titles_come_from_the_course() -> None:
    assert page_title("index") == "Welcome · drillbook: on-call drills"
    assert page_title("incident-replay.ipynb") == "Incident replay: bonding failover · drillbook: on-call drills"
    assert page_title("not-in-the-course") == "not-in-the-course"
    app = _initialized([])
    assert app.config.VoilaExporter.filters == {"course_page_title": "drillbook.course.page_title"}


def test_a_class_pool_refills_after_the_burst() -> None:
    """One learner: a used kernel is replaced a second later (Voila's default); a class: later,
    so that replacements do not compete with the class's own pages for the cores."""
    def delay(args: list[str]) -> float:
        return float(str(_initialized(args).config.VoilaKernelManager.fill_delay))

    assert delay([]) == 1.0
    assert delay(["--class-size", "30"]) > 10 * delay([])


def test_a_hub_learners_server_keeps_no_pool() -> None:
    """Under JupyterHub each learner has a server of their own: no warm kernels per learner."""
    from drillbook import singleuser

    argv = singleuser.voila_argv(singleuser.build_parser().parse_args(["--base-url", "/user/ana/"]))
    assert not any("preheat" in arg or "pool_size" in arg for arg in argv)
