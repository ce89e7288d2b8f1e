"""Running a set of processes in the foreground: prefixed logs, readiness, clean shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import IO, Final

from gateway.stack import Component

_COLOURS: Final = ("36", "35", "33", "32", "34", "31")


class ProcessGroup:
    """Child processes that start together, log to our stdout, and stop together."""

    def __init__(self, components: Sequence[Component], out: IO[str] = sys.stdout) -> None:
        self.components = components
        self.out = out
        self.children: list[tuple[Component, subprocess.Popen[str]]] = []
        self._relays: list[threading.Thread] = []
        self._lock = threading.Lock()
        width = max(len(c.name) for c in components)
        colour = out.isatty()
        self._labels = {
            c.name: (
                f"\x1b[{_COLOURS[i % len(_COLOURS)]}m{c.name:<{width}}\x1b[0m"
                if colour
                else f"{c.name:<{width}}"
            )
            for i, c in enumerate(components)
        }

    def start(self, host: str, timeout: float = 30.0) -> None:
        """Start every component, each once the components it needs are ready."""
        for component in self.components:
            for need in component.needs:
                self._wait_ready(next(c for c, _ in self.children if c.name == need), host, timeout)
            child = subprocess.Popen(  # noqa: S603 - our own interpreter and module names
                component.argv,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **component.env},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                # Own session: a terminal's Ctrl-C reaches only us, and we stop the children in order.
                start_new_session=True,
            )
            self.children.append((component, child))
            relay = threading.Thread(target=self._relay, args=(component.name, child.stdout), daemon=True)
            relay.start()
            self._relays.append(relay)

    def _relay(self, name: str, stream: IO[str] | None) -> None:
        if stream is None:
            return
        with stream:
            for line in stream:
                with self._lock:
                    self.out.write(f"{self._labels[name]} | {line}")
                    self.out.flush()

    def wait_ready(self, host: str, timeout: float = 30.0) -> None:
        for component, _ in self.children:
            self._wait_ready(component, host, timeout)

    def _wait_ready(self, component: Component, host: str, timeout: float) -> None:
        child = next(p for c, p in self.children if c is component)
        url = f"http://{host}:{component.ready_port or component.port}{component.ready_path}"
        deadline = time.monotonic() + timeout
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"{component.name} exited with status {child.returncode} during start-up")
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status < 300:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{component.name} not ready at {url} after {timeout:.0f}s")
            time.sleep(0.1)

    def first_exit(self) -> tuple[Component, int] | None:
        for component, child in self.children:
            if (code := child.poll()) is not None:
                return component, code
        return None

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM in reverse start order (services before the systems they call), then SIGKILL."""
        for _, child in reversed(self.children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for _, child in reversed(self.children):
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for relay in self._relays:
            # Each ends at its child's end of output, closing the pipe.
            relay.join(timeout=1.0)
