"""Data access: PynamoDB models and AWS adapters. AWS errors become domain exceptions here."""
