"""Full-jitter backoff: waits grow, stay random under their ceiling, and stop at the budget."""

from __future__ import annotations

from invoicing.backoff import Backoff


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def test_waits_are_random_under_a_doubling_ceiling_up_to_the_cap():
    time = FakeTime()
    retries = Backoff(base_seconds=0.01, cap_seconds=0.05, budget_seconds=100, max_attempts=8).retries(
        sleep=time.sleep, clock=time.clock
    )

    while retries.wait():
        pass

    ceilings = [0.01, 0.02, 0.04, 0.05, 0.05, 0.05, 0.05]
    assert len(time.waits) == len(ceilings)
    assert all(0 <= wait <= ceiling for wait, ceiling in zip(time.waits, ceilings, strict=True))
    assert retries.attempts == 8


def test_no_wait_takes_the_loop_past_its_budget():
    time = FakeTime()
    retries = Backoff(base_seconds=1, cap_seconds=1, budget_seconds=3, max_attempts=1000).retries(
        sleep=time.sleep, clock=time.clock
    )

    while retries.wait():
        time.now += 0.5

    assert time.now <= 3 + 0.5
    assert sum(time.waits) <= 3


def test_a_single_attempt_never_waits():
    time = FakeTime()
    retries = Backoff(base_seconds=1, cap_seconds=1, budget_seconds=3, max_attempts=1).retries(
        sleep=time.sleep, clock=time.clock
    )

    assert retries.wait() is False
    assert time.waits == []
