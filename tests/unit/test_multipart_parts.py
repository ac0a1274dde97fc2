"""multipart/form-data parts: each one a named form field (RFC 7578, 4.2)."""

import pytest

from invoicing.documents.multipart import parse_files
from invoicing.errors import ValidationFailed

CONTENT_TYPE = "multipart/form-data; boundary=b0undary"


def test_a_part_without_a_form_data_name_is_refused():
    body = b"--b0undary\r\n\r\n[[]]\r\n--b0undary--\r\n"

    with pytest.raises(ValidationFailed, match="a part has no form-data name"):
        parse_files(CONTENT_TYPE, body, "pdf", required=False)


def test_named_fields_other_than_the_files_are_ignored():
    body = (
        b'--b0undary\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
        b'--b0undary\r\nContent-Disposition: form-data; name="pdf"; filename="a.pdf"\r\n\r\n%PDF-1.4\r\n'
        b"--b0undary--\r\n"
    )

    (uploaded,) = parse_files(CONTENT_TYPE, body, "pdf")

    assert (uploaded.name, uploaded.content) == ("a.pdf", b"%PDF-1.4")
