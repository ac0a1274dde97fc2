"""Paying invoices: what each payment method costs (pricing) and the tenant's payment settings."""
