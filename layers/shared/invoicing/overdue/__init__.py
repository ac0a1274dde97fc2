"""Overdue invoices: the move to OVERDUE, the reminder cadence with its catch-up rule, late fees."""
