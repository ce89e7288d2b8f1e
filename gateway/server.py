"""Running the gateway: public listener (uvicorn, uvloop, httptools), admin listener, reload on SIGHUP."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import uvicorn

from gateway.accesslog import AccessLog
from gateway.admin import AdminListener
from gateway.app import Gateway
from gateway.config import ConfigError, load_config
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
        GatewayState(config, metrics), metrics, AccessLog() if config.server.access_log else None
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
        uvicorn.run(
            gateway,
            host=server.host,
            port=server.port,
            loop="uvloop",
            http="httptools",
            lifespan="on",
            access_log=False,  # the gateway writes its own JSON access log
            server_header=False,
            log_level="warning",
        )
    finally:
        admin.stop()
