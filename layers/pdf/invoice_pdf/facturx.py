"""Factur-X: a PDF carrying its own EN 16931 invoice as CII XML (PDF/A-3 with the embedded
`factur-x.xml`), packaged by the `factur-x` library."""

from __future__ import annotations

from facturx import generate_from_binary


def embed_cii(pdf: bytes, cii: bytes) -> bytes:
    """`pdf` with `cii` attached as Factur-X, profile EN 16931. The XML is the service's own output,
    validated by the tests against the CEN rules and the Factur-X schema, so it is not parsed again."""
    packaged: bytes = generate_from_binary(pdf, cii, flavor="factur-x", level="en16931", check_xsd=False)
    return packaged
