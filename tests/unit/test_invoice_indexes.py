"""The invoice indexes of template.yaml and of the PynamoDB model stay in step."""

from __future__ import annotations

from datetime import UTC, datetime

from devtools.invoice_fixtures import new_invoice
from devtools.template import local_deployment
from invoicing.adapters.invoice_items import SEARCHABLE_ATTRIBUTES, InvoiceItem, header_index_attributes
from invoicing.invoices.enums import InvoiceStatus


def template_indexes() -> dict[str, dict]:
    table = local_deployment().resources["InvoicingTable"]["Properties"]
    return {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}


def model_indexes() -> dict[str, object]:
    return {index.Meta.index_name: index for index in InvoiceItem._indexes.values()}


def test_every_model_index_is_in_the_template_with_the_same_keys_and_projection():
    declared = template_indexes()
    attribute_types = {
        definition["AttributeName"]: definition["AttributeType"]
        for definition in local_deployment().resources["InvoicingTable"]["Properties"]["AttributeDefinitions"]
    }

    for name, index in model_indexes().items():
        schema = index._get_schema()
        by_type = sorted(schema["key_schema"], key=lambda key: key["KeyType"])
        assert declared[name]["KeySchema"] == by_type, name
        assert declared[name]["Projection"] == schema["projection"], name
        for definition in schema["attribute_definitions"]:
            assert attribute_types[definition["AttributeName"]] == definition["AttributeType"], name
        keys = {key["AttributeName"] for key in schema["key_schema"]}
        assert set(schema["projection"]["NonKeyAttributes"]) | keys >= set(SEARCHABLE_ATTRIBUTES), name


def test_the_job_index_stays_keys_only_and_unmodelled():
    assert set(template_indexes()) - set(model_indexes()) == {"DueJobs"}
    assert template_indexes()["DueJobs"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}


def test_a_header_carries_its_searchable_copies():
    invoice, _ = new_invoice(
        "acme",
        status=InvoiceStatus.SENT,
        invoice_number="INV-1",
        currency="CHF",
        clientId="client-7",
        opportunityId="opp-1",
        invoiceDate=datetime(2026, 11, 1, tzinfo=UTC),
        customer={"companyName": "Zürich AG", "email": "AP@Zurich.test"},
        rows=[{"description": "Beratung", "quantity": 1, "unitPrice": 10}],
    )

    attributes = header_index_attributes(invoice)

    assert (attributes["currency"], attributes["clientId"]) == ("CHF", "client-7")
    assert attributes["searchText"] == "inv-1\nzurich ag\nap@zurich.test\nberatung"
    assert attributes["statusKey"] == "TENANT#acme#STATUS#SENT"
    assert attributes["customerKey"] == "TENANT#acme#CUSTOMER#ap@zurich.test"
    assert attributes["invoiceDateKey"] == f"2026-11-01T00:00:00+00:00#{invoice.id}"
    assert set(SEARCHABLE_ATTRIBUTES) - {"status"} <= set(attributes)
