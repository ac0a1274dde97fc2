"""The mail quota: a tenant's own or the stack's default, counted per UTC day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from invoicing.mail.quota import MailQuota, next_quota_day, quota_day, quota_spent
from invoicing.tenants.model import Tenant

NOW = datetime(2026, 11, 22, 23, 59, 30, tzinfo=UTC)


def tenant(per_day: int | None) -> Tenant:
    return Tenant("acme", 1, "Acme", "EUR", "billing@acme.test", NOW, mail_quota_per_day=per_day)


def test_a_tenant_has_its_own_quota_else_the_stacks_default():
    assert MailQuota.of(tenant(None), 200) == MailQuota("acme", 200)
    assert MailQuota.of(tenant(5), 200) == MailQuota("acme", 5)
    assert MailQuota.of(tenant(0), 200) == MailQuota("acme", 0)


def test_the_day_is_the_utc_day_whatever_the_clocks_zone():
    berlin = NOW.astimezone(timezone(timedelta(hours=1)))

    assert quota_day(berlin) == "2026-11-22"
    assert next_quota_day(berlin) == datetime(2026, 11, 23, tzinfo=UTC)


def test_a_spent_quota_says_when_mail_is_accepted_again():
    error = quota_spent(MailQuota("acme", 3), NOW)

    assert error.retry_after_seconds == 30
    assert "3 mails of 2026-11-22" in error.message
    assert "2026-11-23T00:00:00Z" in error.message
