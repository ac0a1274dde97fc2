"""UN/CEFACT Cross Industry Invoice (D16B) in the EN 16931 profile: what Factur-X and ZUGFeRD embed.

Elements follow the schema's order; only the business terms `EInvoice` holds are written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from invoicing.einvoice.document import (
    CUSTOMIZATION_ID,
    DocumentAdjustment,
    EInvoice,
    Line,
    Party,
    TaxCategory,
    amount_text,
    decimal_text,
)

NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
for _prefix, _uri in NAMESPACES.items():
    register_namespace(_prefix, _uri)

#: UNTDID 4461: 58 is a SEPA credit transfer, 30 any credit transfer, 1 "not defined"
SEPA_CREDIT_TRANSFER = "58"
NOT_DEFINED = "1"


def _tag(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


def _add(parent: Element, name: str, text: str | None = None, **attributes: str) -> Element:
    element = SubElement(parent, _tag(name), attributes)
    if text is not None:
        element.text = text
    return element


def _date(parent: Element, name: str, day: date, data_type: str = "udt") -> None:
    _add(_add(parent, name), f"{data_type}:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _tax(parent: Element, name: str, category: TaxCategory, rate: Decimal) -> None:
    tax = _add(parent, name)
    _add(tax, "ram:TypeCode", "VAT")
    _add(tax, "ram:CategoryCode", category.value)
    _add(tax, "ram:RateApplicablePercent", decimal_text(rate))


def _party(parent: Element, name: str, party: Party) -> None:
    element = _add(parent, name)
    _add(element, "ram:Name", party.name)
    if party.email or party.phone:
        contact = _add(element, "ram:DefinedTradeContact")
        if party.phone:
            _add(_add(contact, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber", party.phone)
        if party.email:
            _add(_add(contact, "ram:EmailURIUniversalCommunication"), "ram:URIID", party.email)
    address = _add(element, "ram:PostalTradeAddress")
    for tag, value in (
        ("ram:PostcodeCode", party.address.zip),
        ("ram:LineOne", party.address.line1),
        ("ram:LineTwo", party.address.line2),
        ("ram:CityName", party.address.city),
        ("ram:CountryID", party.address.country),
    ):
        if value:
            _add(address, tag, value)
    if party.email:
        _add(_add(element, "ram:URIUniversalCommunication"), "ram:URIID", party.email, schemeID="EM")
    if party.vat_id:
        _add(_add(element, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_id, schemeID="VA")
    if party.tax_number:
        _add(_add(element, "ram:SpecifiedTaxRegistration"), "ram:ID", party.tax_number, schemeID="FC")


def _line(parent: Element, line: Line) -> None:
    item = _add(parent, "ram:IncludedSupplyChainTradeLineItem")
    _add(_add(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", line.line_id)
    product = _add(item, "ram:SpecifiedTradeProduct")
    if line.seller_item_id:
        _add(product, "ram:SellerAssignedID", line.seller_item_id)
    _add(product, "ram:Name", line.name)
    if line.description:
        _add(product, "ram:Description", line.description)
    agreement = _add(item, "ram:SpecifiedLineTradeAgreement")
    _add(_add(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", decimal_text(line.net_price))
    delivery = _add(item, "ram:SpecifiedLineTradeDelivery")
    _add(delivery, "ram:BilledQuantity", decimal_text(line.quantity), unitCode=line.unit_code)
    settlement = _add(item, "ram:SpecifiedLineTradeSettlement")
    _tax(settlement, "ram:ApplicableTradeTax", line.tax_category, line.tax_rate)
    if line.allowance:
        allowance = _add(settlement, "ram:SpecifiedTradeAllowanceCharge")
        _add(_add(allowance, "ram:ChargeIndicator"), "udt:Indicator", "false")
        _add(allowance, "ram:ActualAmount", amount_text(line.allowance))
        _add(allowance, "ram:Reason", "Discount")
    summation = _add(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _add(summation, "ram:LineTotalAmount", amount_text(line.net_amount))


def _adjustment(parent: Element, adjustment: DocumentAdjustment) -> None:
    element = _add(parent, "ram:SpecifiedTradeAllowanceCharge")
    _add(_add(element, "ram:ChargeIndicator"), "udt:Indicator", "true" if adjustment.is_charge else "false")
    if adjustment.percentage is not None and adjustment.base_amount is not None:
        _add(element, "ram:CalculationPercent", decimal_text(adjustment.percentage))
        _add(element, "ram:BasisAmount", amount_text(adjustment.base_amount))
    _add(element, "ram:ActualAmount", amount_text(adjustment.amount))
    _add(element, "ram:Reason", adjustment.reason)
    _tax(element, "ram:CategoryTradeTax", adjustment.tax_category, adjustment.tax_rate)


def _settlement(parent: Element, invoice: EInvoice) -> None:
    settlement = _add(parent, "ram:ApplicableHeaderTradeSettlement")
    if invoice.payment_reference:
        _add(settlement, "ram:PaymentReference", invoice.payment_reference)
    _add(settlement, "ram:InvoiceCurrencyCode", invoice.currency)
    means = _add(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    account = invoice.payment_account
    _add(means, "ram:TypeCode", SEPA_CREDIT_TRANSFER if account else NOT_DEFINED)
    if account:
        creditor = _add(means, "ram:PayeePartyCreditorFinancialAccount")
        _add(creditor, "ram:IBANID", account.iban)
        if account.account_name:
            _add(creditor, "ram:AccountName", account.account_name)
        if account.bic:
            _add(_add(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", account.bic)
    for subtotal in invoice.tax_subtotals:
        tax = _add(settlement, "ram:ApplicableTradeTax")
        _add(tax, "ram:CalculatedAmount", amount_text(subtotal.tax_amount))
        _add(tax, "ram:TypeCode", "VAT")
        _add(tax, "ram:BasisAmount", amount_text(subtotal.taxable_amount))
        _add(tax, "ram:CategoryCode", subtotal.tax_category.value)
        _add(tax, "ram:RateApplicablePercent", decimal_text(subtotal.rate))
    for adjustment in invoice.adjustments:
        _adjustment(settlement, adjustment)
    if invoice.payment_terms or invoice.due_date:
        terms = _add(settlement, "ram:SpecifiedTradePaymentTerms")
        if invoice.payment_terms:
            _add(terms, "ram:Description", invoice.payment_terms)
        if invoice.due_date:
            _date(terms, "ram:DueDateDateTime", invoice.due_date)
    totals = invoice.totals
    summation = _add(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _add(summation, "ram:LineTotalAmount", amount_text(totals.line_total))
    _add(summation, "ram:ChargeTotalAmount", amount_text(totals.charge_total))
    _add(summation, "ram:AllowanceTotalAmount", amount_text(totals.allowance_total))
    _add(summation, "ram:TaxBasisTotalAmount", amount_text(totals.tax_exclusive))
    _add(summation, "ram:TaxTotalAmount", amount_text(totals.tax_total), currencyID=invoice.currency)
    _add(summation, "ram:GrandTotalAmount", amount_text(totals.tax_inclusive))
    _add(summation, "ram:TotalPrepaidAmount", amount_text(totals.prepaid))
    _add(summation, "ram:DuePayableAmount", amount_text(totals.payable))
    if invoice.preceding_invoice:
        number, issued = invoice.preceding_invoice
        reference = _add(settlement, "ram:InvoiceReferencedDocument")
        _add(reference, "ram:IssuerAssignedID", number)
        _date(reference, "ram:FormattedIssueDateTime", issued, data_type="qdt")


def to_cii(invoice: EInvoice) -> bytes:
    """The invoice as CII XML (UTF-8, with its declaration)."""
    root = Element(_tag("rsm:CrossIndustryInvoice"))
    context = _add(root, "rsm:ExchangedDocumentContext")
    _add(_add(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", CUSTOMIZATION_ID)
    document = _add(root, "rsm:ExchangedDocument")
    _add(document, "ram:ID", invoice.number)
    _add(document, "ram:TypeCode", invoice.document_type.value)
    _date(document, "ram:IssueDateTime", invoice.issue_date)
    for note in invoice.notes:
        _add(_add(document, "ram:IncludedNote"), "ram:Content", note)
    transaction = _add(root, "rsm:SupplyChainTradeTransaction")
    for line in invoice.lines:
        _line(transaction, line)
    agreement = _add(transaction, "ram:ApplicableHeaderTradeAgreement")
    if invoice.buyer_reference:
        _add(agreement, "ram:BuyerReference", invoice.buyer_reference)
    _party(agreement, "ram:SellerTradeParty", invoice.seller)
    _party(agreement, "ram:BuyerTradeParty", invoice.buyer)
    _add(transaction, "ram:ApplicableHeaderTradeDelivery")
    _settlement(transaction, invoice)
    xml: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return xml
