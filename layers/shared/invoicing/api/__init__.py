"""HTTP glue shared by the API functions: the resolver, the one error body, caller identity."""
