"""Tenant settings in the single table: `TENANT#<tenantId>` / `SETTINGS`, the settings as one JSON
document with a version. Every write is conditional on the version it was read at."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from invoicing.adapters.dynamodb import UNBOUND_TABLE, bind
from invoicing.adapters.tenant_store import TENANT_PREFIX
from invoicing.errors import ConcurrentChange, DependencyUnavailable
from invoicing.tenants.settings import StoredSettings, TenantSettings

SETTINGS_SORT_KEY = "SETTINGS"


class SettingsItem(Model):
    class Meta:
        table_name = UNBOUND_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    document = UnicodeAttribute()
    version = NumberAttribute()


class DynamoSettingsRepository:
    def __init__(self, table_name: str) -> None:
        self._items = bind(SettingsItem, table_name)

    def get(self, tenant_id: str) -> StoredSettings:
        try:
            item = self._items.get(TENANT_PREFIX + tenant_id, SETTINGS_SORT_KEY, consistent_read=True)
        except self._items.DoesNotExist:
            return StoredSettings(TenantSettings(), 0)
        except PynamoDBException as error:
            raise DependencyUnavailable(f"Reading the settings failed: {error.msg}") from error
        return StoredSettings(TenantSettings.model_validate_json(item.document), int(item.version))

    def save(self, tenant_id: str, settings: TenantSettings, *, read_version: int) -> StoredSettings:
        item = self._items(
            pk=TENANT_PREFIX + tenant_id,
            sk=SETTINGS_SORT_KEY,
            document=settings.model_dump_json(),
            version=read_version + 1,
        )
        condition = (
            self._items.pk.does_not_exist() if read_version == 0 else self._items.version == read_version
        )
        try:
            item.save(condition=condition)
        except PynamoDBException as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise ConcurrentChange(
                    "The settings were changed by another request; read them again."
                ) from error
            raise DependencyUnavailable(f"Saving the settings failed: {error.msg}") from error
        return StoredSettings(settings, read_version + 1)
