"""Production serving with waitress: trusted proxy, threads, timeouts, graceful shutdown.

``waitress.serve`` dies on SIGTERM with whatever requests it was running. Here the
main loop is ours: on SIGTERM or SIGINT the listening sockets close (the proxy sends new
requests to another worker, or gets a refused connection it can retry), the requests
already received are served and their responses written out, and only then — or after
``MADOGUCHI_SHUTDOWN_SECONDS`` — the process exits.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from django.conf import settings

log = logging.getLogger("madoguchi.serve")


def server_options(host: str, port: int, threads: int | None = None) -> dict:
    """waitress keyword arguments from the settings (the environment)."""
    opts = {
        "host": host,
        "port": port,
        "threads": threads or settings.MADOGUCHI_THREADS,
        # A PDF bundle can take seconds to render: the connection stays open meanwhile
        # (waitress only closes idle ones), and nginx's proxy_read_timeout must be as long.
        "channel_timeout": settings.MADOGUCHI_CHANNEL_TIMEOUT,
        "ident": "madoguchi",
        "clear_untrusted_proxy_headers": True,
    }
    proxy = settings.MADOGUCHI_TRUSTED_PROXY.strip()
    if proxy:
        opts["trusted_proxy"] = proxy
        opts["trusted_proxy_count"] = 1
        opts["trusted_proxy_headers"] = settings.MADOGUCHI_TRUSTED_PROXY_HEADERS.replace(
            ",", " "
        ).split()
    return opts


def _busy(server, socket_map) -> bool:
    """A request is received but not answered, or an answer is not yet sent."""
    from waitress.channel import HTTPChannel

    dispatcher = server.task_dispatcher
    if dispatcher.queue:
        return True
    for obj in list(socket_map.values()):
        if isinstance(obj, HTTPChannel) and (obj.requests or obj.total_outbufs_len):
            return True
    return False


def _close_listeners(socket_map) -> None:
    from waitress.server import BaseWSGIServer

    for obj in list(socket_map.values()):
        if isinstance(obj, BaseWSGIServer):
            obj.accepting = False
            obj.close()


def serve(application, host: str, port: int, threads: int | None = None, ready=None) -> None:
    """Serve until SIGTERM/SIGINT, then finish the requests in flight and return."""
    from waitress import create_server, wasyncore

    socket_map: dict = {}
    server = create_server(application, map=socket_map, **server_options(host, port, threads))
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    for listen in getattr(server, "effective_listen", None) or [
        (server.effective_host, server.effective_port)
    ]:
        log.info("serving on http://%s:%s/", listen[0], listen[1])
    if ready is not None:
        ready()
    try:
        while not stop.is_set():
            wasyncore.loop(timeout=0.5, map=socket_map, count=1)
        log.info("shutting down: no new connections, finishing requests in flight")
        _close_listeners(socket_map)
        deadline = time.monotonic() + settings.MADOGUCHI_SHUTDOWN_SECONDS
        while _busy(server, socket_map) and time.monotonic() < deadline:
            wasyncore.loop(timeout=0.1, map=socket_map, count=1)
        if _busy(server, socket_map):
            log.warning("shutdown: requests still running after the grace period")
    finally:
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        wasyncore.close_all(socket_map)
        log.info("stopped")
