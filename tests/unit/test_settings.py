import pytest

from invoicing.settings import ConfigurationError, TableSettings, load_settings


def test_missing_variables_are_named(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "invoices")
    monkeypatch.delenv("STAGE", raising=False)
    monkeypatch.delenv("TABLE_NAME", raising=False)

    with pytest.raises(ConfigurationError) as failure:
        load_settings(TableSettings)

    assert "environment variable STAGE is not set" in str(failure.value)
    assert "environment variable TABLE_NAME is not set" in str(failure.value)


def test_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "invoices")
    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.setenv("TABLE_NAME", "invoicing")
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", "idempotency")

    settings = load_settings(TableSettings)

    assert (settings.table_name, settings.idempotency_table_name) == ("invoicing", "idempotency")
