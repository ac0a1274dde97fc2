"""Tenants, client ids and API keys in the single DynamoDB table.

Items (pk / sk):
- `TENANT#<tenantId>` / `TENANT`          the tenant profile
- `CLIENTID#<clientId>` / `CLIENTID`      guarantees each numeric client id belongs to one tenant
- `SEQUENCE#clientId` / `SEQUENCE`        atomic counter that hands out client ids
- `APIKEY#<keyId>` / `APIKEY`             one API key (secret stored as a salted hash)
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PynamoDBException, TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind, transaction_connection
from invoicing.adapters.sequences import SEQUENCE_SORT_KEY, SequenceItem
from invoicing.errors import Conflict, DependencyUnavailable, NotFound
from invoicing.tenants.model import DEFAULT_NUMBER_FORMAT, ApiKeyRecord, NewTenant, Tenant

TENANT_PREFIX = "TENANT#"
CLIENT_ID_PREFIX = "CLIENTID#"
API_KEY_PREFIX = "APIKEY#"
CLIENT_ID_SEQUENCE = "SEQUENCE#clientId"


class _Item(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class TenantItem(_Item):
    tenant_id = UnicodeAttribute()
    client_id = NumberAttribute()
    name = UnicodeAttribute()
    default_currency = UnicodeAttribute()
    sender_email = UnicodeAttribute()
    created = UTCDateTimeAttribute()
    number_format = UnicodeAttribute(default=DEFAULT_NUMBER_FORMAT)
    yearly_number_reset = BooleanAttribute(default=True)
    reminder_body = UnicodeAttribute(null=True)
    mail_quota_per_day = NumberAttribute(null=True)
    sms_quota_per_day = NumberAttribute(null=True)


class ClientIdItem(_Item):
    tenant_id = UnicodeAttribute()


class ApiKeyItem(_Item):
    tenant_id = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    scopes = UnicodeSetAttribute(null=True)
    created = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)


def _tenant(item: TenantItem) -> Tenant:
    return Tenant(
        tenant_id=item.tenant_id,
        client_id=int(item.client_id),
        name=item.name,
        default_currency=item.default_currency,
        sender_email=item.sender_email,
        created=item.created,
        number_format=item.number_format,
        yearly_number_reset=item.yearly_number_reset,
        reminder_body=item.reminder_body,
        mail_quota_per_day=None if item.mail_quota_per_day is None else int(item.mail_quota_per_day),
        sms_quota_per_day=None if item.sms_quota_per_day is None else int(item.sms_quota_per_day),
    )


def _api_key(item: ApiKeyItem) -> ApiKeyRecord:
    return ApiKeyRecord(
        key_id=item.pk.removeprefix(API_KEY_PREFIX),
        tenant_id=item.tenant_id,
        secret_hash=item.secret_hash,
        scopes=frozenset(item.scopes or ()),
        created=item.created,
        expires_at=item.expires_at,
        revoked_at=item.revoked_at,
    )


class DynamoTenantRepository:
    def __init__(self, table_name: str) -> None:
        self._tenants = bind(TenantItem, table_name)
        self._client_ids = bind(ClientIdItem, table_name)
        self._sequences = bind(SequenceItem, table_name)
        self._api_keys = bind(ApiKeyItem, table_name)

    def find_tenant(self, tenant_id: str) -> Tenant | None:
        try:
            item = self._tenants.get(TENANT_PREFIX + tenant_id, "TENANT", consistent_read=True)
        except self._tenants.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading tenant failed: {error.msg}") from error
        return _tenant(item)

    def create_tenant(self, tenant: NewTenant, *, created: datetime) -> Tenant:
        client_id = self._next_client_id()
        profile = self._tenants(
            pk=TENANT_PREFIX + tenant.tenant_id,
            sk="TENANT",
            tenant_id=tenant.tenant_id,
            client_id=client_id,
            name=tenant.name,
            default_currency=tenant.default_currency,
            sender_email=tenant.sender_email,
            created=created,
            number_format=tenant.number_format,
            yearly_number_reset=tenant.yearly_number_reset,
            reminder_body=tenant.reminder_body,
        )
        claim = self._client_ids(
            pk=f"{CLIENT_ID_PREFIX}{client_id}", sk="CLIENTID", tenant_id=tenant.tenant_id
        )
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.save(profile, condition=self._tenants.pk.does_not_exist())
                transaction.save(claim, condition=self._client_ids.pk.does_not_exist())
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                raise Conflict(f"Tenant {tenant.tenant_id} already exists.") from error
            raise DependencyUnavailable(f"Creating tenant failed: {error.msg}") from error
        return _tenant(profile)

    def _next_client_id(self) -> int:
        """Atomic counter; a failed tenant creation leaves a gap, which client ids may have."""
        sequence = self._sequences(pk=CLIENT_ID_SEQUENCE, sk=SEQUENCE_SORT_KEY)
        try:
            sequence.update(actions=[self._sequences.value.add(1)])
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Allocating a client id failed: {error.msg}") from error
        return int(sequence.value)

    def find_api_key(self, key_id: str) -> ApiKeyRecord | None:
        try:
            item = self._api_keys.get(API_KEY_PREFIX + key_id, "APIKEY", consistent_read=True)
        except self._api_keys.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading API key failed: {error.msg}") from error
        return _api_key(item)

    def save_api_key(self, record: ApiKeyRecord) -> None:
        item = self._api_keys(
            pk=API_KEY_PREFIX + record.key_id,
            sk="APIKEY",
            tenant_id=record.tenant_id,
            secret_hash=record.secret_hash,
            scopes=set(record.scopes) or None,
            created=record.created,
            expires_at=record.expires_at,
            revoked_at=record.revoked_at,
        )
        try:
            item.save(condition=self._api_keys.pk.does_not_exist())
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Saving API key failed: {error.msg}") from error

    def set_mail_quota(self, tenant_id: str, per_day: int | None) -> Tenant:
        """The tenant's mails per UTC day (None: the stack's default); `NotFound` for no such tenant."""
        return self._set_quota(tenant_id, self._tenants.mail_quota_per_day, per_day)

    def set_sms_quota(self, tenant_id: str, per_day: int | None) -> Tenant:
        """The tenant's text messages per UTC day (None: the stack's default), like `set_mail_quota`."""
        return self._set_quota(tenant_id, self._tenants.sms_quota_per_day, per_day)

    def _set_quota(self, tenant_id: str, quota: NumberAttribute, per_day: int | None) -> Tenant:
        item = self._tenants(pk=TENANT_PREFIX + tenant_id, sk="TENANT")
        try:
            item.update(
                actions=[quota.remove() if per_day is None else quota.set(per_day)],
                condition=self._tenants.pk.exists(),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound(f"Tenant {tenant_id} does not exist.") from error
            raise DependencyUnavailable(f"Setting the quota failed: {error.msg}") from error
        return _tenant(item)

    def revoke_api_key(self, key_id: str, *, revoked_at: datetime) -> ApiKeyRecord:
        """One conditional update; a second revocation keeps the first one's time."""
        item = self._api_keys(pk=API_KEY_PREFIX + key_id, sk="APIKEY")
        revoked = self._api_keys.revoked_at
        try:
            item.update(actions=[revoked.set(revoked | revoked_at)], condition=self._api_keys.pk.exists())
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound(f"API key {key_id} does not exist.") from error
            raise DependencyUnavailable(f"Revoking API key failed: {error.msg}") from error
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Revoking API key failed: {error.msg}") from error
        return _api_key(item)
