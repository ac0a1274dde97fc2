"""POST /v1/invoices/dynamic-search's body: what its page fields take."""

import pytest
from pydantic import ValidationError

from invoicing.invoices.search import SearchRequest


@pytest.mark.parametrize("body", ['{"page": false}', '{"size": true}', '{"page": "1"}', '{"size": 20.5}'])
def test_page_and_size_are_json_integers_only(body):
    with pytest.raises(ValidationError):
        SearchRequest.model_validate_json(body)


def test_page_and_size_as_integers_are_taken():
    request = SearchRequest.model_validate_json('{"page": 2, "size": 50}')

    assert (request.page, request.size) == (2, 50)
