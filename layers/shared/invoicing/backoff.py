"""Full-jitter backoff inside a time budget: how the service's retry loops wait.

Before retry n a loop sleeps a random time between 0 and min(cap, base x 2^n) ("full jitter"), so
writers that collided spread out instead of colliding again. A loop gives up when its attempts are
spent or when the next wait would take it past its budget, so a request still answers (with the
last error) well before its function's timeout.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

Sleep = Callable[[float], None]
Clock = Callable[[], float]


@dataclass(frozen=True)
class Backoff:
    base_seconds: float
    cap_seconds: float
    budget_seconds: float
    max_attempts: int

    def retries(self, *, sleep: Sleep = time.sleep, clock: Clock = time.monotonic) -> Retries:
        """The waits of one loop, whose budget starts now."""
        return Retries(self, sleep, clock)


class Retries:
    def __init__(self, policy: Backoff, sleep: Sleep, clock: Clock) -> None:
        self._policy = policy
        self._sleep = sleep
        self._clock = clock
        self._started = clock()
        self.attempts = 1

    def wait(self) -> bool:
        """Sleep before the next attempt and say True, or say False (at once) when it may not be made."""
        policy = self._policy
        if self.attempts >= policy.max_attempts:
            return False
        ceiling = min(policy.cap_seconds, policy.base_seconds * 2 ** (self.attempts - 1))
        delay = random.uniform(0, ceiling)  # noqa: S311 (spreading retries, not a secret)
        if self._clock() - self._started + delay > policy.budget_seconds:
            return False
        self._sleep(delay)
        self.attempts += 1
        return True
