"""Files attached to an invoice: uploaded, handed out by link, removed.

Every file of an upload is checked before any is stored, so a refused request stores nothing; files
stored before the invoice refused them (another request attached too many meanwhile) are deleted
again. Storage comes in through a Protocol (S3DocumentStore), as in `invoicing.invoices.workflow`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from invoicing.clock import utc_now
from invoicing.documents import records
from invoicing.documents.files import UploadedFile, check_upload
from invoicing.errors import DomainError
from invoicing.invoices import kernel, workflow
from invoicing.invoices.model import Attachment, Invoice
from invoicing.links import DownloadLink


class AttachmentFiles(Protocol):
    """Where attached files (and the PDFs a blob id may also name) are kept (S3DocumentStore)."""

    def put_attachment(
        self,
        tenant_id: str,
        invoice_id: str,
        blob_id: str,
        content: bytes,
        *,
        content_type: str,
        file_name: str,
    ) -> None: ...

    def attachment_link(
        self, tenant_id: str, invoice_id: str, blob_id: str, now: datetime
    ) -> DownloadLink: ...

    def delete_attachment(self, tenant_id: str, invoice_id: str, blob_id: str) -> None: ...

    def invoice_pdf_link(
        self, tenant_id: str, invoice_id: str, blob_id: str, now: datetime
    ) -> DownloadLink: ...


@dataclass(frozen=True)
class FileLink:
    """An invoice's file (an attachment or one of its PDFs) and a link that downloads it."""

    attachment: Attachment
    link: DownloadLink


class Attachments:
    def __init__(
        self,
        invoices: workflow.InvoiceStore,
        files: AttachmentFiles,
        clock: Callable[[], datetime] = utc_now,
        make_id: kernel.NewId = kernel.new_id,
    ) -> None:
        self._invoices = invoices
        self._files = files
        self._clock = clock
        self._make_id = make_id

    def upload(
        self, actor: kernel.Actor, invoice_id: str, files: Callable[[], Sequence[UploadedFile]]
    ) -> Invoice:
        """Store the files and record them on the invoice, or, if anything is refused, neither.
        `files` reads the request once the invoice is found: a missing invoice is NotFound whatever
        the body holds."""
        invoice = self._invoices.get(actor.tenant_id, invoice_id)
        accepted = check_upload(files(), len(invoice.attachments))
        now = self._clock()
        stored: list[Attachment] = []
        try:
            for file in accepted:
                attachment = Attachment(
                    blobId=self._make_id(),
                    created=now,
                    extension=file.kind.extension,
                    fileSize=len(file.content),
                    name=file.name,
                    type=file.kind.attachment_type,
                )
                self._files.put_attachment(
                    actor.tenant_id,
                    invoice_id,
                    attachment.blobId,
                    file.content,
                    content_type=file.kind.content_type,
                    file_name=file.name,
                )
                stored.append(attachment)
            return workflow.change_invoice(
                self._invoices,
                actor.tenant_id,
                invoice_id,
                lambda current: records.add_attachments(current, stored, actor=actor, now=now),
                retry=True,
            )
        except DomainError:
            for attachment in stored:
                self._files.delete_attachment(actor.tenant_id, invoice_id, attachment.blobId)
            raise

    def link(self, tenant_id: str, invoice_id: str, blob_id: str) -> FileLink:
        """A link to the invoice's file of that blob id: one of its PDFs, else an attachment
        (NotFound if it has neither)."""
        invoice = self._invoices.get(tenant_id, invoice_id)
        now = self._clock()
        pdf = records.find_pdf(invoice, blob_id)
        if pdf is not None:
            return FileLink(pdf, self._files.invoice_pdf_link(tenant_id, invoice_id, blob_id, now))
        attachment = records.find_attachment(invoice, blob_id)
        return FileLink(attachment, self._files.attachment_link(tenant_id, invoice_id, blob_id, now))

    def remove(self, actor: kernel.Actor, invoice_id: str, blob_id: str) -> None:
        """Take the attachment off the invoice, then delete every version of its file."""
        workflow.change_invoice(
            self._invoices,
            actor.tenant_id,
            invoice_id,
            lambda current: records.remove_attachment(current, blob_id, actor=actor, now=self._clock()),
            retry=True,
        )
        self._files.delete_attachment(actor.tenant_id, invoice_id, blob_id)
