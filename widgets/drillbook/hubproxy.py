"""``jhsingle-native-proxy`` (each learner's server under JupyterHub) with one fix for tornado 6.6.

jhsingle-native-proxy 0.8.3 opens websockets itself and asks ``check_origin(origin)`` whether
the browser's origin may connect. Up to tornado 6.5 that default compared the ``Origin`` with
the ``Host`` header; tornado 6.6 moved that comparison out of ``check_origin`` (which now only
consults ``trusted_origins``), so every kernel websocket got "403 Cross origin websockets not
allowed" and no widget ever appeared. Here ``check_origin`` is the same-origin test again,
exactly the one tornado applies to its own websocket handlers; nothing else changes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from jhsingle_native_proxy import main as _main  # type: ignore[import-untyped,unused-ignore]
from jhsingle_native_proxy.proxyhandlers import ProxyHandler  # type: ignore[import-untyped,unused-ignore]


def check_origin(handler: ProxyHandler, origin: str) -> bool:
    """A websocket may connect only from a page of the same host and port."""
    return bool(urlsplit(origin).netloc.lower() == handler.request.headers.get("Host", "").lower())


ProxyHandler.check_origin = check_origin

if __name__ == "__main__":
    _main.run()
