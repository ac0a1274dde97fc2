"""The search-costs bench section, at small sizes: first pages cost the same at either size."""

import os

import pytest

from devtools.bench.search_costs import run


@pytest.fixture
def restored_environment():
    """The bench sets AWS and function variables for the whole process; put them back."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.usefixtures("restored_environment")
def test_first_pages_read_the_same_items_at_two_tenant_sizes():
    section = run(sizes=(300, 360), page_size=5, deep_page=6)

    assert section.failures == ()
    assert section.name == "search-costs"
    rows = [line for line in section.markdown.splitlines() if line.startswith("| ") and "request" not in line]
    assert [row.split(" | ")[0] for row in rows] == [
        "| first page, unfiltered",
        "| first page, status SENT",
        "| first page, one week of invoice dates",
        "| page 7, jumped to from page 1",
        "| page 7, right after page 6",
    ]
