"""Invoice mail: what a message is, and how it is composed (pure; SES and SQS live in adapters)."""
