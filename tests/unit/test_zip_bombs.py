"""Office files are ZIP archives: judging their type must never decompress more than a few bytes."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from invoicing.documents.files import (
    MAX_ARCHIVE_ENTRIES,
    MAX_FILE_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    ODS,
    UploadedFile,
    check_upload,
    sniff,
)
from invoicing.errors import UnsupportedMediaType

BOMB_BYTES = 160 * 1024 * 1024
CHUNK = bytes(1024 * 1024)


def bomb(name: str, *, head: bytes = b"", size: int = BOMB_BYTES, **others: bytes) -> bytes:
    """A small archive whose entry `name` inflates to `size` bytes (`head`, then zeros)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for other, content in others.items():
            archive.writestr(other.replace("__", "/"), content)
        with archive.open(name, "w") as entry:
            entry.write(head)
            for _ in range(size // len(CHUNK)):
                entry.write(CHUNK)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def mimetype_bomb() -> bytes:
    return bomb("mimetype", head=ODS.content_type.encode())


def peak_allocation(call) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_mimetype_bomb_is_refused_without_being_inflated(mimetype_bomb):
    assert len(mimetype_bomb) < MAX_FILE_BYTES

    assert peak_allocation(lambda: sniff(mimetype_bomb)) < 4 * 1024 * 1024
    assert sniff(mimetype_bomb) is None
    with pytest.raises(UnsupportedMediaType):
        check_upload([UploadedFile("sheet.ods", mimetype_bomb)], attached_already=0)


def test_an_archive_that_inflates_beyond_the_bound_is_refused():
    document = bomb(
        "word/document.xml", size=MAX_UNCOMPRESSED_BYTES + len(CHUNK), **{"[Content_Types].xml": b"x"}
    )

    assert len(document) < MAX_FILE_BYTES
    assert sniff(document) is None


def test_an_archive_with_too_many_entries_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"x")
        archive.writestr("word/document.xml", b"x")
        for number in range(MAX_ARCHIVE_ENTRIES):
            archive.writestr(f"word/media/{number}", b"")

    assert sniff(buffer.getvalue()) is None


def test_real_office_files_within_the_bounds_are_still_recognised():
    ods = bomb("mimetype", head=ODS.content_type.encode(), size=0)

    assert sniff(ods) == ODS


@pytest.mark.parametrize(
    "archive",
    [
        b"PK\x03\x04" + bytes(40),
        b"PK\x03\x04" + b"\xff" * 40 + b"PK\x05\x06" + b"\xff" * 18,
    ],
)
def test_a_broken_archive_is_not_an_office_file(archive):
    assert sniff(archive) is None
