"""Tenants (the businesses that invoice) and their API keys."""
