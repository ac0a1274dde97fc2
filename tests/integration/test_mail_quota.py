"""The mail quota's count per tenant and UTC day, and the tenant's own quota, against moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from invoicing.adapters.dynamodb import bind
from invoicing.adapters.mail_quota import DynamoMailQuota, MailQuotaItem
from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.errors import NotFound, QuotaExceeded
from invoicing.mail.quota import MailQuota
from invoicing.tenants.model import NewTenant
from invoicing.tenants.service import ensure_tenant

NOW = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)


@pytest.fixture
def quota(deployment):
    return DynamoMailQuota(deployment.ref("InvoicingTable"))


def test_a_day_accepts_the_quota_and_not_one_more_and_the_next_day_starts_again(quota, deployment):
    acme, globex = MailQuota("acme", 2), MailQuota("globex", 2)

    quota.take(acme, NOW)
    quota.take(acme, NOW)
    with pytest.raises(QuotaExceeded) as spent:
        quota.take(acme, NOW)
    with pytest.raises(QuotaExceeded):
        quota.ensure_left(acme, NOW)
    quota.take(globex, NOW)
    quota.take(acme, NOW + timedelta(hours=1))

    assert spent.value.retry_after_seconds == 3600
    item = bind(MailQuotaItem, deployment.ref("InvoicingTable")).get("TENANT#acme", "MAILQUOTA#2026-11-22")
    assert item.accepted == 2
    assert item.expiresAt == int(datetime(2026, 11, 25, tzinfo=UTC).timestamp())


def test_a_quota_of_zero_accepts_nothing(quota):
    with pytest.raises(QuotaExceeded):
        quota.take(MailQuota("acme", 0), NOW)


def test_the_operator_sets_a_tenants_quota_and_takes_it_back_to_the_default(deployment):
    tenants = DynamoTenantRepository(deployment.ref("InvoicingTable"))
    ensure_tenant(tenants, NewTenant("acme", "Acme", "EUR", "billing@acme.test"), now=NOW)

    own = tenants.set_mail_quota("acme", 1000)
    default = tenants.set_mail_quota("acme", None)

    assert own.mail_quota_per_day == 1000
    assert default.mail_quota_per_day is None
    assert tenants.find_tenant("acme").mail_quota_per_day is None
    with pytest.raises(NotFound):
        tenants.set_mail_quota("nobody", 5)
