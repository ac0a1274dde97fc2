"""Invoice PDFs with fpdf2: the PDF layer, used by the functions that render (documents, delivery worker).

Import it only when rendering (`invoicing.documents.rendering.render_with_fpdf` does): fpdf2, fontTools
and Pillow are kept out of every cold start.
"""

from invoice_pdf.facturx import embed_cii
from invoice_pdf.renderer import render_pdf

__all__ = ["embed_cii", "render_pdf"]
