"""UBL 2.1 Invoice and CreditNote in the EN 16931 model (the shape Peppol BIS Billing 3.0 and
XRechnung's UBL syntax build on). Elements follow the schema's order."""

from __future__ import annotations

from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from invoicing.einvoice.document import (
    CUSTOMIZATION_ID,
    PEPPOL_PROFILE_ID,
    DocumentAdjustment,
    DocumentType,
    EInvoice,
    Line,
    Party,
    TaxCategory,
    amount_text,
    decimal_text,
)

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOTS = {
    DocumentType.INVOICE: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    DocumentType.CREDIT_NOTE: "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
register_namespace("cac", CAC)
register_namespace("cbc", CBC)

SEPA_CREDIT_TRANSFER = "58"
NOT_DEFINED = "1"


def _cac(parent: Element, name: str) -> Element:
    return SubElement(parent, f"{{{CAC}}}{name}")


def _cbc(parent: Element, name: str, text: str, **attributes: str) -> Element:
    element = SubElement(parent, f"{{{CBC}}}{name}", attributes)
    element.text = text
    return element


class _Writer:
    def __init__(self, invoice: EInvoice) -> None:
        self.invoice = invoice
        self.currency = invoice.currency

    def amount(self, parent: Element, name: str, amount: Decimal) -> None:
        _cbc(parent, name, amount_text(amount), currencyID=self.currency)

    def tax_category(self, parent: Element, name: str, category: TaxCategory, rate: Decimal) -> None:
        element = _cac(parent, name)
        _cbc(element, "ID", category.value)
        _cbc(element, "Percent", decimal_text(rate))
        _cbc(_cac(element, "TaxScheme"), "ID", "VAT")

    def party(self, parent: Element, name: str, party: Party) -> None:
        element = _cac(_cac(parent, name), "Party")
        if party.email:
            _cbc(element, "EndpointID", party.email, schemeID="EM")
        _cbc(_cac(element, "PartyName"), "Name", party.name)
        address = _cac(element, "PostalAddress")
        for tag, value in (
            ("StreetName", party.address.line1),
            ("AdditionalStreetName", party.address.line2),
            ("CityName", party.address.city),
            ("PostalZone", party.address.zip),
        ):
            if value:
                _cbc(address, tag, value)
        _cbc(_cac(address, "Country"), "IdentificationCode", party.address.country)
        for company_id, scheme in ((party.vat_id, "VAT"), (party.tax_number, "FC")):
            if company_id:
                scheme_element = _cac(element, "PartyTaxScheme")
                _cbc(scheme_element, "CompanyID", company_id)
                _cbc(_cac(scheme_element, "TaxScheme"), "ID", scheme)
        _cbc(_cac(element, "PartyLegalEntity"), "RegistrationName", party.name)
        if party.phone or party.email:
            contact = _cac(element, "Contact")
            if party.phone:
                _cbc(contact, "Telephone", party.phone)
            if party.email:
                _cbc(contact, "ElectronicMail", party.email)

    def payment(self, root: Element) -> None:
        invoice = self.invoice
        means = _cac(root, "PaymentMeans")
        account = invoice.payment_account
        _cbc(means, "PaymentMeansCode", SEPA_CREDIT_TRANSFER if account else NOT_DEFINED)
        if invoice.document_type is DocumentType.CREDIT_NOTE and invoice.due_date:
            _cbc(means, "PaymentDueDate", invoice.due_date.isoformat())
        if invoice.payment_reference:
            _cbc(means, "PaymentID", invoice.payment_reference)
        if account:
            financial = _cac(means, "PayeeFinancialAccount")
            _cbc(financial, "ID", account.iban)
            if account.account_name:
                _cbc(financial, "Name", account.account_name)
            if account.bic:
                _cbc(_cac(financial, "FinancialInstitutionBranch"), "ID", account.bic)
        if invoice.payment_terms:
            _cbc(_cac(root, "PaymentTerms"), "Note", invoice.payment_terms)

    def adjustment(self, parent: Element, adjustment: DocumentAdjustment) -> None:
        element = _cac(parent, "AllowanceCharge")
        _cbc(element, "ChargeIndicator", "true" if adjustment.is_charge else "false")
        _cbc(element, "AllowanceChargeReason", adjustment.reason)
        with_base = adjustment.percentage is not None and adjustment.base_amount is not None
        if with_base and adjustment.percentage is not None:
            _cbc(element, "MultiplierFactorNumeric", decimal_text(adjustment.percentage))
        self.amount(element, "Amount", adjustment.amount)
        if with_base and adjustment.base_amount is not None:
            self.amount(element, "BaseAmount", adjustment.base_amount)
        self.tax_category(element, "TaxCategory", adjustment.tax_category, adjustment.tax_rate)

    def totals(self, root: Element) -> None:
        invoice = self.invoice
        tax_total = _cac(root, "TaxTotal")
        self.amount(tax_total, "TaxAmount", invoice.totals.tax_total)
        for subtotal in invoice.tax_subtotals:
            element = _cac(tax_total, "TaxSubtotal")
            self.amount(element, "TaxableAmount", subtotal.taxable_amount)
            self.amount(element, "TaxAmount", subtotal.tax_amount)
            self.tax_category(element, "TaxCategory", subtotal.tax_category, subtotal.rate)
        totals = invoice.totals
        monetary = _cac(root, "LegalMonetaryTotal")
        self.amount(monetary, "LineExtensionAmount", totals.line_total)
        self.amount(monetary, "TaxExclusiveAmount", totals.tax_exclusive)
        self.amount(monetary, "TaxInclusiveAmount", totals.tax_inclusive)
        self.amount(monetary, "AllowanceTotalAmount", totals.allowance_total)
        self.amount(monetary, "ChargeTotalAmount", totals.charge_total)
        self.amount(monetary, "PrepaidAmount", totals.prepaid)
        self.amount(monetary, "PayableAmount", totals.payable)

    def line(self, root: Element, line: Line) -> None:
        credit_note = self.invoice.document_type is DocumentType.CREDIT_NOTE
        element = _cac(root, "CreditNoteLine" if credit_note else "InvoiceLine")
        _cbc(element, "ID", line.line_id)
        quantity_tag = "CreditedQuantity" if credit_note else "InvoicedQuantity"
        _cbc(element, quantity_tag, decimal_text(line.quantity), unitCode=line.unit_code)
        self.amount(element, "LineExtensionAmount", line.net_amount)
        if line.allowance:
            allowance = _cac(element, "AllowanceCharge")
            _cbc(allowance, "ChargeIndicator", "false")
            _cbc(allowance, "AllowanceChargeReason", "Discount")
            self.amount(allowance, "Amount", line.allowance)
        item = _cac(element, "Item")
        if line.description:
            _cbc(item, "Description", line.description)
        _cbc(item, "Name", line.name)
        if line.seller_item_id:
            _cbc(_cac(item, "SellersItemIdentification"), "ID", line.seller_item_id)
        self.tax_category(item, "ClassifiedTaxCategory", line.tax_category, line.tax_rate)
        _cbc(_cac(element, "Price"), "PriceAmount", decimal_text(line.net_price), currencyID=self.currency)

    def document(self) -> Element:
        invoice = self.invoice
        credit_note = invoice.document_type is DocumentType.CREDIT_NOTE
        namespace = ROOTS[invoice.document_type]
        root = Element(f"{{{namespace}}}{'CreditNote' if credit_note else 'Invoice'}")
        _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
        _cbc(root, "ProfileID", PEPPOL_PROFILE_ID)
        _cbc(root, "ID", invoice.number)
        _cbc(root, "IssueDate", invoice.issue_date.isoformat())
        if not credit_note and invoice.due_date:
            _cbc(root, "DueDate", invoice.due_date.isoformat())
        _cbc(root, "CreditNoteTypeCode" if credit_note else "InvoiceTypeCode", invoice.document_type.value)
        for note in invoice.notes:
            _cbc(root, "Note", note)
        _cbc(root, "DocumentCurrencyCode", invoice.currency)
        if invoice.buyer_reference:
            _cbc(root, "BuyerReference", invoice.buyer_reference)
        if invoice.preceding_invoice:
            number, issued = invoice.preceding_invoice
            reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
            _cbc(reference, "ID", number)
            _cbc(reference, "IssueDate", issued.isoformat())
        self.party(root, "AccountingSupplierParty", invoice.seller)
        self.party(root, "AccountingCustomerParty", invoice.buyer)
        self.payment(root)
        for adjustment in invoice.adjustments:
            self.adjustment(root, adjustment)
        self.totals(root)
        for line in invoice.lines:
            self.line(root, line)
        return root


def to_ubl(invoice: EInvoice) -> bytes:
    """The invoice as a UBL 2.1 Invoice, or a CreditNote for document type 381 (UTF-8)."""
    register_namespace("", ROOTS[invoice.document_type])
    document: bytes = tostring(_Writer(invoice).document(), encoding="utf-8", xml_declaration=True)
    return document
