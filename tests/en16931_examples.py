"""The EN 16931 example invoices (tests/fixtures/en16931/*/examples), read into what the calculator
takes and what the examples state, so tests can recreate their figures.

A line is its quantity times its net price (per base quantity) where that is the example's own line
amount, else one unit of the line amount: EN 16931 has no rule tying them, and ubl-tc434-example3
bills 2 x 800.00 as 800.00.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element, parse

EXAMPLES = Path(__file__).parent / "fixtures" / "en16931"
CII_EXAMPLES = sorted((EXAMPLES / "cii" / "examples").glob("*.xml"))
UBL_EXAMPLES = sorted((EXAMPLES / "ubl" / "examples").glob("*.xml"))

_CII = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
_UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


@dataclass(frozen=True)
class ExampleLine:
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    net: Decimal


@dataclass(frozen=True)
class ExampleInvoice:
    name: str
    currency: str
    lines: tuple[ExampleLine, ...]
    #: document-level allowances and charges: (is_charge, amount, tax rate)
    adjustments: tuple[tuple[bool, Decimal, Decimal], ...]
    prepaid: Decimal
    lines_total: Decimal
    allowances_total: Decimal
    charges_total: Decimal
    tax_exclusive: Decimal
    tax_total: Decimal
    tax_inclusive: Decimal
    payable: Decimal
    #: (rate, taxable amount, tax amount) in ascending rate
    breakdown: tuple[tuple[Decimal, Decimal, Decimal], ...]


def _decimal(element: Element | None, default: str = "0") -> Decimal:
    text = element.text if element is not None else None
    return Decimal((text or default).strip())


def _line(quantity: Decimal, price: Decimal, base: Decimal, rate: Decimal, net: Decimal) -> ExampleLine:
    unit_price = price / base
    if (quantity * unit_price).quantize(Decimal("0.01")) == net:
        return ExampleLine(quantity, unit_price, rate, net)
    return ExampleLine(Decimal(1), net, rate, net)


def read_cii(path: Path) -> ExampleInvoice:
    root = parse(path).getroot()  # noqa: S314 (the committed example files)
    settlement = root.find(".//ram:ApplicableHeaderTradeSettlement", _CII)
    assert settlement is not None
    lines = []
    for item in root.iterfind(".//ram:IncludedSupplyChainTradeLineItem", _CII):
        price = item.find(".//ram:NetPriceProductTradePrice", _CII)
        assert price is not None
        lines.append(
            _line(
                _decimal(item.find(".//ram:BilledQuantity", _CII)),
                _decimal(price.find("ram:ChargeAmount", _CII)),
                _decimal(price.find("ram:BasisQuantity", _CII), "1"),
                _decimal(item.find(".//ram:ApplicableTradeTax/ram:RateApplicablePercent", _CII)),
                _decimal(
                    item.find(
                        ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount", _CII
                    )
                ),
            )
        )
    adjustments = tuple(
        (
            _text(charge.find("ram:ChargeIndicator/udt:Indicator", _CII)) == "true",
            _decimal(charge.find("ram:ActualAmount", _CII)),
            _decimal(charge.find("ram:CategoryTradeTax/ram:RateApplicablePercent", _CII)),
        )
        for charge in settlement.iterfind("ram:SpecifiedTradeAllowanceCharge", _CII)
    )
    breakdown = tuple(
        sorted(
            (
                _decimal(tax.find("ram:RateApplicablePercent", _CII)),
                _decimal(tax.find("ram:BasisAmount", _CII)),
                _decimal(tax.find("ram:CalculatedAmount", _CII)),
            )
            for tax in settlement.iterfind("ram:ApplicableTradeTax", _CII)
        )
    )
    totals = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", _CII)
    assert totals is not None

    def total(name: str) -> Decimal:
        return _decimal(totals.find(f"ram:{name}", _CII))

    return ExampleInvoice(
        name=path.stem,
        currency=_text(settlement.find("ram:InvoiceCurrencyCode", _CII)),
        lines=tuple(lines),
        adjustments=adjustments,
        prepaid=total("TotalPrepaidAmount"),
        lines_total=total("LineTotalAmount"),
        allowances_total=total("AllowanceTotalAmount"),
        charges_total=total("ChargeTotalAmount"),
        tax_exclusive=total("TaxBasisTotalAmount"),
        tax_total=total("TaxTotalAmount"),
        tax_inclusive=total("GrandTotalAmount"),
        payable=total("DuePayableAmount"),
        breakdown=breakdown,
    )


def read_ubl(path: Path) -> ExampleInvoice:
    root = parse(path).getroot()  # noqa: S314 (the committed example files)
    lines = []
    for item in [*root.iterfind("cac:InvoiceLine", _UBL), *root.iterfind("cac:CreditNoteLine", _UBL)]:
        quantity = item.find("cbc:InvoicedQuantity", _UBL)
        lines.append(
            _line(
                _decimal(quantity if quantity is not None else item.find("cbc:CreditedQuantity", _UBL)),
                _decimal(item.find("cac:Price/cbc:PriceAmount", _UBL)),
                _decimal(item.find("cac:Price/cbc:BaseQuantity", _UBL), "1"),
                _decimal(item.find("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", _UBL)),
                _decimal(item.find("cbc:LineExtensionAmount", _UBL)),
            )
        )
    adjustments = tuple(
        (
            _text(charge.find("cbc:ChargeIndicator", _UBL)) == "true",
            _decimal(charge.find("cbc:Amount", _UBL)),
            _decimal(charge.find("cac:TaxCategory/cbc:Percent", _UBL)),
        )
        for charge in root.iterfind("cac:AllowanceCharge", _UBL)
    )
    subtotals = [
        subtotal
        for tax_total in root.iterfind("cac:TaxTotal", _UBL)
        for subtotal in tax_total.iterfind("cac:TaxSubtotal", _UBL)
    ]
    breakdown = tuple(
        sorted(
            (
                _decimal(subtotal.find("cac:TaxCategory/cbc:Percent", _UBL)),
                _decimal(subtotal.find("cbc:TaxableAmount", _UBL)),
                _decimal(subtotal.find("cbc:TaxAmount", _UBL)),
            )
            for subtotal in subtotals
        )
    )
    tax_total = next(
        element
        for element in root.iterfind("cac:TaxTotal", _UBL)
        if element.find("cac:TaxSubtotal", _UBL) is not None
    )
    totals = root.find("cac:LegalMonetaryTotal", _UBL)
    assert totals is not None

    def total(name: str) -> Decimal:
        return _decimal(totals.find(f"cbc:{name}", _UBL))

    return ExampleInvoice(
        name=path.stem,
        currency=_text(root.find("cbc:DocumentCurrencyCode", _UBL)),
        lines=tuple(lines),
        adjustments=adjustments,
        prepaid=total("PrepaidAmount"),
        lines_total=total("LineExtensionAmount"),
        allowances_total=total("AllowanceTotalAmount"),
        charges_total=total("ChargeTotalAmount"),
        tax_exclusive=total("TaxExclusiveAmount"),
        tax_total=_decimal(tax_total.find("cbc:TaxAmount", _UBL)),
        tax_inclusive=total("TaxInclusiveAmount"),
        payable=total("PayableAmount"),
        breakdown=breakdown,
    )


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def read_example(path: Path) -> ExampleInvoice:
    return read_cii(path) if path.parent.parent.name == "cii" else read_ubl(path)
