"""Who is calling: principals, scopes, API keys and bearer tokens (pure domain, no AWS calls)."""
