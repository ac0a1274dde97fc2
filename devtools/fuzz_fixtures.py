"""Invoices for `make fuzz` to work on: generated ids would only ever meet 404.

Before schemathesis runs, the fuzz tenant gets a draft and a published invoice (with a row, a payment
and an attachment), made over HTTP as a client would. Their ids go to libFuzzer dictionaries
(`schemathesis.toml` binds the path parameters to them), so generated requests reach real invoices.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.template import ROOT

#: where schemathesis.toml reads its dictionaries, the users' credentials and the OpenAPI document from
FIXTURE_DIR = ROOT / ".local" / "fuzz"
DICTIONARY_DIR = FIXTURE_DIR / "dictionaries"
AUTH_PATH = FIXTURE_DIR / "auth.json"
DOCUMENT_PATH = FIXTURE_DIR / "openapi.json"
#: a 1 x 1 PNG, an attachment the documents function accepts
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108040000"
    "00b51c0c020000000b4944415478da636460000000060002308197"
    "c10000000049454e44ae426082"
)
DRAFT = {
    "currency": "EUR",
    "paymentTermDays": 14,
    "contactEmail": "ap@globex.test",
    "customer": {"companyName": "Globex Corporation", "email": "ap@globex.test"},
    "rows": [
        {
            "description": "Consulting",
            "quantity": 10,
            "quantityType": "HOURS",
            "unitPrice": 120,
            "taxRate": 19,
        }
    ],
}


class FixtureError(RuntimeError):
    """The API refused to make a fixture; the message carries its answer."""


@dataclass(frozen=True)
class Fixtures:
    invoice_ids: tuple[str, ...]
    invoice_numbers: tuple[str, ...]
    row_ids: tuple[str, ...]
    transaction_ids: tuple[str, ...]
    blob_ids: tuple[str, ...]

    def dictionaries(self) -> dict[str, tuple[str, ...]]:
        """Dictionary name -> entries, as schemathesis.toml names them."""
        return {
            "invoice-ids": self.invoice_ids,
            "invoice-numbers": self.invoice_numbers,
            "row-ids": self.row_ids,
            "transaction-ids": self.transaction_ids,
            "blob-ids": self.blob_ids,
        }


def libfuzzer_dictionary(entries: tuple[str, ...]) -> str:
    """One quoted entry a line, the format of schemathesis' `from-file` dictionaries."""
    return "".join(f"{json.dumps(entry)}\n" for entry in entries)


def write_dictionaries(fixtures: Fixtures, directory: Path = DICTIONARY_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, entries in fixtures.dictionaries().items():
        (directory / f"{name}.dict").write_text(libfuzzer_dictionary(entries), encoding="utf-8")


def wfc_auth(tokens: dict[str, str]) -> dict[str, Any]:
    """A Web Fuzzing Commons auth document: one user a tenant, each with its bearer token."""
    return {
        "auth": [
            {"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {token}"}]}
            for name, token in tokens.items()
        ]
    }


def write_wfc_auth(tokens: dict[str, str], path: Path = AUTH_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(wfc_auth(tokens), indent=2), encoding="utf-8")


def download_document(base_url: str, token: str, path: Path = DOCUMENT_PATH) -> Path:
    """`GET /v1/openapi.json` as the first user: schemathesis' own fetch would need a header that
    overrides every user's credentials."""
    request = urllib.request.Request(
        f"{base_url}/v1/openapi.json", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(response.read())
    return path


class _Client:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token

    def call(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> Any:
        request = urllib.request.Request(f"{self.base_url}{path}", data=body, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise FixtureError(f"{method} {path} answered {error.code}: {detail}") from None

    def json(self, method: str, path: str, payload: object = None) -> Any:
        body = None if payload is None else json.dumps(payload).encode()
        return self.call(method, path, body, "application/json" if body is not None else "")


def _multipart(field: str, name: str, content: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def provision(base_url: str, token: str) -> Fixtures:
    """A draft and a published invoice with a payment and an attachment, for the token's tenant."""
    client = _Client(base_url, token)
    draft = client.json("POST", "/v1/invoices", DRAFT)
    published = client.json("POST", "/v1/invoices", DRAFT)
    published = client.json("PATCH", f"/v1/invoices/{published['id']}/mark-as-sent")
    paid = client.json("PATCH", f"/v1/invoices/{published['id']}/add-payment", {"amount": 100})
    body, content_type = _multipart("files", "receipt.png", PNG, "image/png")
    attached = client.call("POST", f"/v1/invoices/{draft['id']}/upload-attachments", body, content_type)
    return Fixtures(
        invoice_ids=(draft["id"], published["id"]),
        invoice_numbers=(published["invoiceNumber"],),
        row_ids=tuple(row["id"] for invoice in (draft, published) for row in invoice["rows"]),
        transaction_ids=tuple(transaction["id"] for transaction in paid["transactions"]),
        blob_ids=tuple(attachment["blobId"] for attachment in attached["attachments"]),
    )
