"""EN 16931 e-invoices: one semantic document (`document.EInvoice`) written as UN/CEFACT CII
(`cii`, the Factur-X / ZUGFeRD EN 16931 profile) or UBL 2.1 (`ubl`, Peppol BIS Billing 3.0).

Pure code on the standard library's XML writer: no boto3 and no lxml, so the function that answers
e-invoices imports nothing heavy. The figures come from the invoice as the calculator computed it.
"""
