"""Recurring invoices: a template's plan (`schedule`), the invoices it issues (`occurrences`) and the
job's use case that issues every occurrence due (`issuing`); ARCHITECTURE.md, "Recurring invoices".
"""
