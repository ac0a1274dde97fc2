"""The public routes' rate limit against moto: a conditional counter per key and minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from invoicing.adapters.rate_limits import DynamoRateLimits
from invoicing.errors import QuotaExceeded

NOW = datetime(2026, 12, 1, 12, 0, 30, tzinfo=UTC)


def test_a_key_gets_its_limit_a_minute_then_429_until_the_next(deployment):
    limits = DynamoRateLimits(deployment.ref("InvoicingTable"))

    for _ in range(3):
        limits.take("token", "abc", 3, NOW)
    with pytest.raises(QuotaExceeded) as refused:
        limits.take("token", "abc", 3, NOW)
    limits.take("token", "other", 3, NOW)
    limits.take("client", "abc", 3, NOW)
    limits.take("token", "abc", 3, NOW + timedelta(minutes=1))

    assert refused.value.retry_after_seconds == 31
