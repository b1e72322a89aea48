"""Requests for anything outside the course get 403/404, over raw HTTP and in the browser.

Raw HTTP sends the literal path (no client-side normalisation of ``..`` or ``%2e%2e``), follows
redirects by hand, and checks both the final status and that no byte of the target file came
back. The browser check shows what a learner who types such a URL sees.
"""

from __future__ import annotations

import http.client
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Page

from ._server import REPO, VoilaServer

#: Literal request paths: traversal (plain, encoded, double-slash), sources, config, hidden files.
OUTSIDE = [
    "/voila/render/../../etc/passwd",
    "/voila/render/%2e%2e/%2e%2e/etc/passwd",
    "/voila/render/..%2f..%2fetc%2fpasswd",
    "/voila/render/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/voila/render//etc/passwd",
    "/voila/render/%2fetc%2fpasswd",
    "/voila/files/../pyproject.toml",
    "/voila/files/%2e%2e/pyproject.toml",
    "/voila/files/%2e%2e%2fpyproject.toml",
    "/voila/files/..%2f..%2f..%2fetc%2fpasswd",
    "/voila/files//etc/passwd",
    "/voila/files/../voila.json",
    "/voila/render/../voila.json",
    "/voila/files/../widgets/drillbook/serve.py",
    "/voila/render/../widgets/drillbook/serve.py",
    "/voila/files/../scenarios/bond-failover.yaml",
    "/voila/files/course.yaml",
    "/voila/files/quizzes/datacenter-hardware.yaml",
    "/voila/files/index.ipynb",
    "/voila/files/incident-replay.ipynb",
    "/voila/render/index.py",
    "/.git/config",
    "/voila/files/.git/config",
    "/voila/render/.git/config",
    "/voila/files/../.git/config",
    "/voila/files/.ipynb_checkpoints/index-checkpoint.ipynb",
    "/voila/render/.ipynb_checkpoints/index-checkpoint.ipynb",
    "/voila/static/../../../../etc/passwd",
    "/voila/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/voila/api/themes/../../../etc/passwd",
    "/voila/labextensions/../../../etc/passwd",
    "/api/contents",
    "/api/kernels",
    "/tree",
    "/lab",
]

#: Bytes that only appear if a file outside the course (or a course source) was served.
LEAK_MARKERS = [b"root:x:0:0", b"[core]", b"[build-system]", b"def voila_argv", b"cull_idle_timeout",
                b'"nbformat"', b"notebooks:", b"rounds:", b"questions:", b"repositoryformatversion"]


def fetch(server: VoilaServer, path: str, hops: int = 5) -> tuple[int, bytes, list[str]]:
    """GET a literal path, following redirects by hand; (final status, body, chain of paths)."""
    chain = [path]
    for _ in range(hops):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        location = resp.getheader("Location")
        if resp.status in (301, 302, 303, 307, 308) and location:
            # Keep the server's Location literally (urljoin would resolve its dot segments).
            if location.startswith("http"):
                path = location.split(str(server.port), 1)[1]
            elif location.startswith("/"):
                path = location
            else:
                path = urljoin(path, location)
            chain.append(path)
            continue
        return resp.status, body, chain
    raise AssertionError(f"redirect loop: {chain}")


@pytest.mark.parametrize("path", OUTSIDE)
def test_raw_http_outside_the_course_is_refused(voila: VoilaServer, path: str) -> None:
    status, body, chain = fetch(voila, path)
    leaked = [m for m in LEAK_MARKERS if m in body]
    assert not leaked, f"{' -> '.join(chain)} served file content ({leaked})"
    assert status in (403, 404), f"{' -> '.join(chain)} answered {status}, expected 403 or 404"


def test_positive_controls_still_work(voila: VoilaServer) -> None:
    """The refusals above are not an artefact of a broken server: the course itself is served."""
    status, body, chain = fetch(voila, "/")
    assert status == 200 and chain[-1].endswith("/voila/render/index.ipynb"), chain
    assert b"<html" in body.lower()
    status, _, chain = fetch(voila, "/voila/tree")
    assert status == 200 and chain[-1].endswith("index.ipynb"), "the file browser should redirect to the welcome page"
    images = sorted((REPO / "course" / "img").glob("*.svg")) + sorted((REPO / "course" / "img").glob("*.png"))
    if images:
        status, body, _ = fetch(voila, f"/voila/files/img/{images[0].name}")
        assert status == 200 and body == images[0].read_bytes()


@pytest.mark.parametrize("path", ["/voila/templates/../../../etc/passwd", "/voila/templates/%2e%2e/conf.json",
                                  "/voila/templates/lab/index.html.j2",
                                  "/voila/templates/lab/static/../../../../../../etc/passwd",
                                  "/voila/templates/lab/static/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd"])
def test_voila_template_handler_refuses_malformed_paths(voila: VoilaServer, path: str) -> None:
    status, body, chain = fetch(voila, path)
    assert not [m for m in LEAK_MARKERS if m in body]
    assert status in (403, 404), f"{' -> '.join(chain)} answered {status}"


@pytest.mark.parametrize("path", [
    "/voila/render/../../etc/passwd",
    "/voila/render/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/voila/files/../pyproject.toml",
    "/voila/files/course.yaml",
    "/voila/files/index.ipynb",
    "/.git/config",
    "/voila/files/.ipynb_checkpoints/index-checkpoint.ipynb",
])
def test_browser_sees_refusal_not_content(page: Page, voila: VoilaServer, path: str) -> None:
    response = page.goto(voila.url(path), wait_until="domcontentloaded")
    assert response is not None
    text = page.evaluate("() => document.documentElement.outerHTML")
    assert not [m.decode() for m in LEAK_MARKERS if m.decode() in text], f"{path} showed file content"
    assert response.status in (403, 404), f"{path} -> {response.url} answered {response.status}"
