"""The e-invoice syntaxes the API answers, by the names clients ask for them."""

from __future__ import annotations

from typing import Literal

from invoicing.einvoice.cii import to_cii
from invoicing.einvoice.mapping import einvoice_of
from invoicing.einvoice.ubl import to_ubl
from invoicing.invoices.model import Invoice

EInvoiceSyntax = Literal["cii", "ubl"]


def einvoice_xml(invoice: Invoice, syntax: EInvoiceSyntax) -> bytes:
    document = einvoice_of(invoice)
    return to_cii(document) if syntax == "cii" else to_ubl(document)
