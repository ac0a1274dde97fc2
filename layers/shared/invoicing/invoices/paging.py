"""Seed 001's page body (Spring Data's `Page`): a page of invoices and where it sits in the result."""

from __future__ import annotations

from collections.abc import Sequence

from invoicing.invoices.model import ApiModel, Invoice
from invoicing.invoices.search import PageRequest


class SortState(ApiModel):
    """Results are always sorted (by invoice date, newest first, unless the request says otherwise)."""

    empty: bool = False
    sorted: bool = True
    unsorted: bool = False


class Pageable(ApiModel):
    offset: int
    pageNumber: int
    pageSize: int
    paged: bool = True
    unpaged: bool = False
    sort: SortState = SortState()


class InvoicePage(ApiModel):
    """A page of invoices (without `events`: read one invoice for its audit trail)."""

    content: list[Invoice]
    totalElements: int
    totalPages: int
    number: int
    size: int
    numberOfElements: int
    first: bool
    last: bool
    empty: bool
    pageable: Pageable
    sort: SortState = SortState()


def invoice_page(content: Sequence[Invoice], total: int, page: PageRequest) -> InvoicePage:
    total_pages = -(-total // page.size)
    return InvoicePage(
        content=list(content),
        totalElements=total,
        totalPages=total_pages,
        number=page.number,
        size=page.size,
        numberOfElements=len(content),
        first=page.number == 0,
        last=page.number + 1 >= total_pages,
        empty=not content,
        pageable=Pageable(offset=page.offset, pageNumber=page.number, pageSize=page.size),
    )
