"""The mail quota: how many mails the API accepts for one tenant in one UTC day.

The SES identity is the stack's, shared by every tenant, so one tenant's mail (copies go to any
address) must not spend the account's sending rate or its reputation. Each tenant has a quota per
day, set by the operator (`devtools.admin set-mail-quota`), else the stack's default. A mail counts
when the API accepts it; once the day's count reaches the quota, mail requests answer 429 with
Retry-After until the next UTC day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from invoicing.errors import QuotaExceeded
from invoicing.tenants.model import Tenant


@dataclass(frozen=True)
class MailQuota:
    tenant_id: str
    per_day: int
    #: what is counted, as the 429 names it
    what: str = "mails"

    @classmethod
    def of(cls, tenant: Tenant, default_per_day: int) -> MailQuota:
        """The tenant's own quota, else the stack's default."""
        per_day = tenant.mail_quota_per_day
        return cls(tenant.tenant_id, default_per_day if per_day is None else per_day)


def quota_day(now: datetime) -> str:
    """The UTC day a mail accepted at `now` counts towards."""
    return f"{now.astimezone(UTC):%Y-%m-%d}"


def next_quota_day(now: datetime) -> datetime:
    """The start of the UTC day after `now`'s: when a spent quota is whole again."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def quota_spent(quota: MailQuota, now: datetime) -> QuotaExceeded:
    whole_again = next_quota_day(now)
    return QuotaExceeded(
        f"Tenant {quota.tenant_id} has had its {quota.per_day} {quota.what} of {quota_day(now)} (UTC) "
        f"accepted; more can be sent from {whole_again:%Y-%m-%dT%H:%M:%SZ}.",
        retry_after_seconds=max(1, int((whole_again - now).total_seconds())),
    )
