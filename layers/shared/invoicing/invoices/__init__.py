"""The invoice: its shape, its arithmetic and its rules."""
