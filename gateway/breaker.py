"""A circuit breaker per upstream: after consecutive failures, fail fast until a probe succeeds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final, Literal

State = Literal["closed", "open", "half_open"]
STATE_VALUE: Final[dict[State, int]] = {"closed": 0, "half_open": 1, "open": 2}


class CircuitBreaker:
    """Closed: requests flow. Open: refused at once until ``reset_after`` passes. Half-open: one probe
    request is let through; its success closes the circuit, its failure opens it again."""

    def __init__(
        self,
        failures: int,
        reset_after: float,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[State], None] | None = None,
    ) -> None:
        self.threshold = failures
        self.reset_after = reset_after
        self.clock = clock
        self.on_change = on_change
        self.state: State = "closed"
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False

    def allow(self) -> bool:
        """May a request go to the upstream now?"""
        if self.state == "closed":
            return True
        if self.state == "open":
            if self.clock() - self._opened_at < self.reset_after:
                return False
            self._set("half_open")
        if self._probing:
            return False
        self._probing = True
        return True

    def retry_after(self) -> float:
        """Seconds until the circuit lets a probe through."""
        return max(0.0, self.reset_after - (self.clock() - self._opened_at))

    def succeeded(self) -> None:
        self._failures = 0
        self._probing = False
        if self.state != "closed":
            self._set("closed")

    def failed(self) -> None:
        self._failures += 1
        self._probing = False
        if self.state == "half_open" or self._failures >= self.threshold:
            self._opened_at = self.clock()
            if self.state != "open":
                self._set("open")

    def _set(self, state: State) -> None:
        self.state = state
        if self.on_change is not None:
            self.on_change(state)
