"""Attached files: limits, type judged by content, and safe names.

Limits. API Gateway accepts 10 MB, but a binary request reaches Lambda base64-encoded inside an
event capped at 6 MB, so about 4.4 MB of raw body is the real ceiling: a request carries at most
MAX_REQUEST_BYTES, a file at most MAX_FILE_BYTES, and an invoice at most MAX_ATTACHMENTS files.
Types are recognised from the first bytes (and, for ZIP-based office files, the archive's entries),
never from the name or the declared content type.

Office files are ZIP archives, and a ZIP can inflate a thousandfold: an archive is refused unless its
central directory declares at most MAX_ARCHIVE_ENTRIES entries and MAX_UNCOMPRESSED_BYTES in all, and
the only entry ever inflated, an OpenDocument `mimetype`, is read for at most a few dozen bytes.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import urllib.parse
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from invoicing.errors import PayloadTooLarge, UnsupportedMediaType
from invoicing.invoices.enums import AttachmentType

MAX_FILE_BYTES = 3 * 1024 * 1024
MAX_REQUEST_BYTES = 4 * 1024 * 1024
MAX_FILES_PER_REQUEST = 10
MAX_ATTACHMENTS = 20
MAX_NAME_LENGTH = 120
FALLBACK_NAME = "attachment"
MAX_ARCHIVE_ENTRIES = 5_000
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_CENTRAL_DIRECTORY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    attachment_type: AttachmentType
    #: how a refusal names the kind
    label: str


PDF = FileKind("pdf", "application/pdf", AttachmentType.PDF, "PDF")
PNG = FileKind("png", "image/png", AttachmentType.IMAGE, "PNG")
JPEG = FileKind("jpg", "image/jpeg", AttachmentType.IMAGE, "JPEG")
GIF = FileKind("gif", "image/gif", AttachmentType.IMAGE, "GIF")
WEBP = FileKind("webp", "image/webp", AttachmentType.IMAGE, "WebP")
DOCX = FileKind(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    AttachmentType.DOCUMENT,
    "DOCX",
)
XLSX = FileKind(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    AttachmentType.SPREADSHEET,
    "XLSX",
)
ODT = FileKind("odt", "application/vnd.oasis.opendocument.text", AttachmentType.DOCUMENT, "ODT")
ODS = FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", AttachmentType.SPREADSHEET, "ODS")
#: what `sniff` recognises; the OpenAPI document lists their content types
ALLOWED_KINDS = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, ODT, ODS)
ALLOWED_DESCRIPTION = f"{', '.join(kind.label for kind in ALLOWED_KINDS[:-1])} or {ALLOWED_KINDS[-1].label}"

_EXTENSION_ALIASES = {"jpeg": "jpg", "jpe": "jpg"}
_ODF_MIMETYPES = {ODT.content_type.encode(): ODT, ODS.content_type.encode(): ODS}
_MIMETYPE_READ_LIMIT = max(len(mimetype) for mimetype in _ODF_MIMETYPES) + 2
_END_OF_CENTRAL_DIRECTORY = struct.Struct("<4s4H2LH")
_END_OF_CENTRAL_DIRECTORY_SEARCH = _END_OF_CENTRAL_DIRECTORY.size + 0xFFFF
#: a damaged, encrypted or exotically compressed archive is simply not an office file
_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    EOFError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
)


@dataclass(frozen=True)
class UploadedFile:
    """One part of a multipart upload, as the client sent it."""

    name: str
    content: bytes


@dataclass(frozen=True)
class AcceptedFile:
    """An uploaded file that passed the checks, with its sanitised name and its sniffed kind."""

    name: str
    content: bytes
    kind: FileKind


def _central_directory_within_bounds(content: bytes) -> bool:
    """What the end-of-central-directory record declares, read before `zipfile` parses a single
    entry (ZIP64, never needed below MAX_FILE_BYTES, declares 0xFFFF entries and is refused)."""
    start = content.rfind(b"PK\x05\x06", -_END_OF_CENTRAL_DIRECTORY_SEARCH)
    if start < 0 or len(content) - start < _END_OF_CENTRAL_DIRECTORY.size:
        return False
    *_, entries, directory_bytes, _, _ = _END_OF_CENTRAL_DIRECTORY.unpack_from(content, start)
    return int(entries) <= MAX_ARCHIVE_ENTRIES and int(directory_bytes) <= MAX_CENTRAL_DIRECTORY_BYTES


def _office_kind(content: bytes) -> FileKind | None:
    if not _central_directory_within_bounds(content):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ARCHIVE_ENTRIES:
                return None
            if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
                return None
            names = {entry.filename for entry in entries}
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(_MIMETYPE_READ_LIMIT + 1)
                if len(mimetype) > _MIMETYPE_READ_LIMIT:
                    return None
                return _ODF_MIMETYPES.get(mimetype.strip())
    except _ARCHIVE_ERRORS:
        return None
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(content: bytes) -> FileKind | None:
    """The allowed kind `content` is, judged by its magic bytes; None for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    if content.startswith(b"PK\x03\x04"):
        return _office_kind(content)
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*;%]+')
_SPACES = re.compile(r"\s+")


def sanitize_file_name(name: str, kind: FileKind) -> str:
    """A display name without paths, control or shell/header-special characters, ending in the
    extension of what the file really is."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _SPACES.sub(" ", _UNSAFE.sub("_", base)).strip(" ._")
    stem, _, extension = base.rpartition(".") if "." in base else (base, "", "")
    if _EXTENSION_ALIASES.get(extension.lower(), extension.lower()) != kind.extension:
        stem, extension = base, kind.extension
    stem = stem.strip(" ._")[: MAX_NAME_LENGTH - len(extension) - 1] or FALLBACK_NAME
    return f"{stem}.{extension}"


def content_disposition(name: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII fallback `filename` and the exact UTF-8 name in `filename*`."""
    decomposed = unicodedata.normalize("NFKD", name)
    fallback = "".join(char for char in decomposed if not unicodedata.combining(char))
    fallback = re.sub(r"[^A-Za-z0-9 ._()\[\]+,=-]", "_", fallback).strip() or FALLBACK_NAME
    encoded = urllib.parse.quote(name, safe="")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def check_upload(files: Sequence[UploadedFile], attached_already: int) -> list[AcceptedFile]:
    """Every file checked before anything is stored: one refusal refuses the whole request."""
    if sum(len(file.content) for file in files) > MAX_REQUEST_BYTES:
        raise PayloadTooLarge(f"An upload carries at most {MAX_REQUEST_BYTES // 1024 // 1024} MiB of files.")
    if len(files) > MAX_FILES_PER_REQUEST:
        raise PayloadTooLarge(f"An upload carries at most {MAX_FILES_PER_REQUEST} files.")
    check_attachment_count(attached_already + len(files))
    accepted = []
    for index, file in enumerate(files):
        field = f"files[{index}]"
        if len(file.content) > MAX_FILE_BYTES:
            raise PayloadTooLarge(
                f"{file.name!r} is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB.",
                field_errors={field: ["File too large."]},
            )
        kind = sniff(file.content)
        if kind is None:
            raise UnsupportedMediaType(
                f"{file.name!r} is not a {ALLOWED_DESCRIPTION} file.",
                field_errors={field: [f"Allowed: {ALLOWED_DESCRIPTION}."]},
            )
        accepted.append(AcceptedFile(sanitize_file_name(file.name, kind), file.content, kind))
    return accepted


def check_attachment_count(count: int) -> None:
    if count > MAX_ATTACHMENTS:
        raise PayloadTooLarge(f"An invoice holds at most {MAX_ATTACHMENTS} attachments.")
