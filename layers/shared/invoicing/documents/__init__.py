"""Documents: what goes on an invoice PDF, and the rules for files attached to an invoice."""
