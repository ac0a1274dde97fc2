"""multipart/form-data bodies (RFC 7578), parsed with the standard library's MIME parser."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from invoicing.documents.files import UploadedFile
from invoicing.errors import ValidationFailed

MAX_BOUNDARY_LENGTH = 70


def _invalid(reason: str) -> ValidationFailed:
    return ValidationFailed(f"The upload is not valid multipart/form-data: {reason}.")


def is_multipart(content_type: str) -> bool:
    return content_type.strip().lower().startswith("multipart/form-data")


def _boundary(content_type: str) -> str | None:
    """The `boundary` parameter (names are case-insensitive, quotes optional), if it has 1 to 70
    characters as RFC 2046 allows."""
    header = EmailMessage(policy=policy.HTTP)
    header["Content-Type"] = content_type
    boundary = header.get_boundary()
    return boundary if boundary and len(boundary) <= MAX_BOUNDARY_LENGTH else None


def parse_files(content_type: str, body: bytes, field: str, *, required: bool = True) -> list[UploadedFile]:
    """The file parts named `field`; other fields are ignored. File names may be raw UTF-8."""
    if not is_multipart(content_type) or _boundary(content_type) is None:
        raise _invalid("send Content-Type multipart/form-data with a boundary of 1 to 70 characters")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise _invalid("no parts")
    files = []
    for part in message.iter_parts():
        if not isinstance(part, EmailMessage) or part.get_content_disposition() != "form-data":
            raise _invalid("a part has no form-data name")
        name = part.get_param("name", header="content-disposition")
        if name is None:
            raise _invalid("a part has no form-data name")
        if name != field:
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            raise _invalid(f"a {field!r} part has no content")
        files.append(UploadedFile(name=part.get_filename() or "", content=payload))
    if not files and required:
        raise ValidationFailed(
            f"Send one or more files in the form field {field!r}.", field_errors={field: ["Required."]}
        )
    return files
