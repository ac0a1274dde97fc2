"""The invoicing service's shared code: domain, data access and HTTP glue used by every function.

Dependencies point one way: `api` (HTTP shapes) -> domain packages (`auth`, `tenants`, ...) ->
`adapters` (DynamoDB, Secrets Manager, ...). Domain modules never import boto3.
"""
