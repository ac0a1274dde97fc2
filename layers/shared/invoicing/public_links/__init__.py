"""The hosted invoice page: public links (token and short code), their life, and the page's use case."""
