"""Running the gateway: public listener (:mod:`gateway.http1`, on uvloop), admin listener, reload
on SIGHUP.

The listener calls :meth:`Gateway.handle` per request in this process and this event loop, so the
reload handler, the admin listener and the app's state live side by side (what an ASGI lifespan
would do is done here, around serving). Why our own listener and not a server from a library:
docs/performance.md.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from pathlib import Path

import uvloop

from gateway._build import request_path_compiled
from gateway.accesslog import AccessLog
from gateway.admin import AdminListener
from gateway.app import Gateway
from gateway.config import ConfigError, ServerConfig, load_config
from gateway.http1 import Listener, ListenerLimits
from gateway.metrics import GatewayMetrics
from gateway.state import GatewayState

log = logging.getLogger("revgate.gateway")

#: Seconds an old configuration keeps its upstream connections after a reload, for requests in flight.
DRAIN_SECONDS = 30.0


def build(config_path: Path) -> tuple[Gateway, AdminListener]:
    """The app and its admin listener for a config file; raises ConfigError before anything listens."""
    config = load_config(config_path)
    metrics = GatewayMetrics()
    gateway = Gateway(
        GatewayState(config, metrics), metrics, AccessLog(batched=True) if config.server.access_log else None
    )
    admin = AdminListener(
        config.server.admin_host, config.server.admin_port, metrics.registry, lambda: gateway.state.ready
    )
    gateway.on_started = lambda: _reload_on_sighup(gateway, config_path)
    return gateway, admin


async def reload(gateway: Gateway, config_path: Path) -> bool:
    """Swap in a new configuration; a bad one is refused and the old one keeps serving."""
    try:
        state = GatewayState(load_config(config_path), gateway.metrics)
    except ConfigError as error:
        log.error("configuration refused, the previous one keeps serving: %s", error)
        return False
    await state.start()
    old, gateway.state = gateway.state, state
    log.info("configuration reloaded from %s", config_path)
    asyncio.get_running_loop().call_later(DRAIN_SECONDS, lambda: asyncio.ensure_future(old.close()))
    return True


def _reload_on_sighup(gateway: Gateway, config_path: Path) -> None:
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(reload(gateway, config_path)))


def serve(config_path: Path) -> None:
    gateway, admin = build(config_path)
    server = gateway.state.config.server
    admin.start()
    try:
        uvloop.run(_serve(gateway, server))
    finally:
        admin.stop()
        if gateway.access_log is not None:
            gateway.access_log.flush()


def listener_for(gateway: Gateway, server: ServerConfig) -> Listener:
    """The public listener of ``gateway``, with the limits of its server config."""
    limits = ListenerLimits(
        max_body_bytes=server.max_body_bytes,
        max_header_bytes=server.max_header_bytes,
        keep_alive_timeout=server.keep_alive_timeout,
        request_read_timeout=server.request_read_timeout,
    )
    return Listener(gateway.handle, gateway.refuse, limits)


async def _serve(gateway: Gateway, server: ServerConfig) -> None:
    listener = listener_for(gateway, server)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Graceful: stop accepting, finish requests in flight, then close the state below.
        loop.add_signal_handler(signum, listener.stop)
    # What an ASGI lifespan would do: keys and Redis before the first request, SIGHUP once serving.
    await gateway.state.start()
    _tune_garbage_collector()
    log.info(
        "request path %s", "compiled" if request_path_compiled() else "interpreted (not compiled: slower)"
    )
    if gateway.on_started is not None:
        gateway.on_started()
    try:
        await listener.serve(server.host, server.port, backlog=2048)
    finally:
        await gateway.state.close()


def _tune_garbage_collector() -> None:
    """Fewer, cheaper collections: measured ~10% of CPU per request (docs/performance.md).

    A request allocates hundreds of short-lived containers, which with the default threshold (700)
    start a young-generation collection every few requests. Requests free nearly all of them by
    reference counting, so collections can be much rarer; and what start-up built (documents,
    schemas, config) is frozen out of the collector's sight, so older-generation passes skip it.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
