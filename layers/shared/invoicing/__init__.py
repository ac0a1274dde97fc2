"""The invoicing service's shared code: the domain, its adapters and the HTTP glue of every function.

Dependencies point inwards, to the domain:

    handlers (functions/<group>/app.py, `api`)  ->  use cases and domain  <-  `adapters`

- The domain packages (`invoices`, `tenants`, `auth`, `mail`, `documents`, `einvoice`, ...) hold the
  rules and the use cases. What they need from storage and AWS they declare as Protocol ports; they
  never import boto3, PynamoDB, `adapters`, `api` or `wiring`, and raise only `invoicing.errors`.
- `adapters` implement those ports on DynamoDB, S3, SES, SQS, Secrets Manager and the Scheduler, and
  turn AWS errors into domain errors.
- `api` (resolver, caller identity, the one error body) and `wiring` (a function's settings,
  observability and services, each adapter built on first use) sit at the edge with the handlers:
  they alone put adapters and use cases together.
"""
