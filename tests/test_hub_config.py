"""The classroom hub's pieces without starting it: the hub config as JupyterHub loads it, the
learner's server command line, the identity rule and the proxy's websocket origin check."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from traitlets.config.loader import PyFileConfigLoader

from drillbook import hub, hubproxy, serve, singleuser
from drillbook.identity import learner_name


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("DRILLBOOK_HUB_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("DRILLBOOK_DB", str(tmp_path / "class.sqlite3"))
    monkeypatch.setenv("DRILLBOOK_HUB_IDLE", "900")
    return PyFileConfigLoader(hub.CONFIG.name, str(hub.CONFIG.parent)).load_config()


def test_hub_binds_only_to_localhost(config: Any) -> None:
    for url in (config.JupyterHub.bind_url, config.JupyterHub.hub_bind_url, config.ConfigurableHTTPProxy.api_url):
        assert url.startswith("http://127.0.0.1:")
    assert "--ip=127.0.0.1" in config.Spawner.cmd and config.Spawner.ip == "127.0.0.1"


def test_every_learner_server_writes_the_one_class_store(config: Any, tmp_path: Path) -> None:
    assert config.Spawner.environment == {"DRILLBOOK_DB": str(tmp_path / "class.sqlite3")}
    assert config.JupyterHub.db_url == f"sqlite:///{tmp_path / 'state' / 'jupyterhub.sqlite'}"


def test_learner_server_is_the_course_in_voila_behind_the_hub_login(config: Any) -> None:
    cmd = config.Spawner.cmd
    proxy, course = cmd[:cmd.index("--")], cmd[cmd.index("--") + 1:]
    assert proxy[1:3] == ["-m", "drillbook.hubproxy"] and "--authtype=oauth" in proxy
    assert "--no-force-alive" in proxy, "forced keep-alive would hide idleness from the culler"
    assert course[1:] == ["-m", "drillbook.singleuser", "--port={port}", "--base-url={base_url}/"]


def test_idle_culler_runs_as_a_service_with_only_its_scopes(config: Any) -> None:
    (service,) = config.JupyterHub.services
    assert service["command"][1:3] == ["-m", "jupyterhub_idle_culler"] and "--timeout=900" in service["command"]
    (role,) = config.JupyterHub.load_roles
    assert role["services"] == [service["name"]]
    assert set(role["scopes"]) == {"list:users", "read:users:activity", "read:servers", "delete:servers"}


def test_single_user_voila_routes_at_root_and_links_under_the_prefix() -> None:
    args = singleuser.build_parser().parse_args(["--port", "9000", "--base-url", "/user/ana/"])
    argv = singleuser.voila_argv(args)
    assert argv[:len(serve.voila_argv(args))] == serve.voila_argv(args), "everything ./run serve passes"
    assert argv[-2:] == ["--Voila.base_url=/user/ana/", "--Voila.server_url=/"]


def test_single_user_prefix_must_be_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        singleuser.build_parser().parse_args(["--base-url", "user/ana"])
    assert "is not a URL prefix like /user/ana/" in capsys.readouterr().err


@pytest.mark.parametrize("params,hub_user,expected", [
    ({"name": "ana"}, "hub-ana", "ana"),  # ?name= wins: a study group signs notes by hand
    ({}, "hub-ana", "hub-ana"),
    ({"name": "  "}, "hub-ana", "hub-ana"),
    ({}, None, ""),
])
def test_learner_is_the_query_name_else_the_hub_user(params: dict[str, str], hub_user: str | None,
                                                     expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if hub_user is None:
        monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    else:
        monkeypatch.setenv("JUPYTERHUB_USER", hub_user)
    assert learner_name(params) == expected


@pytest.mark.parametrize("origin,host,allowed", [
    ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
    ("https://Class.Example.org", "class.example.org", True),
    ("http://evil.example", "127.0.0.1:8000", False),
    ("http://127.0.0.1:9999", "127.0.0.1:8000", False),
])
def test_proxy_websockets_only_from_the_same_origin(origin: str, host: str, allowed: bool) -> None:
    handler: Any = SimpleNamespace(request=SimpleNamespace(headers={"Host": host}))
    assert hubproxy.check_origin(handler, origin) is allowed


def test_hub_launcher_command_uses_the_repository_config() -> None:
    cmd = hub.hub_command(8000, 8081, 8001)
    assert cmd[1:5] == ["-m", "jupyterhub", "-f", str(hub.CONFIG)]
    assert "--JupyterHub.bind_url=http://127.0.0.1:8000" in cmd
