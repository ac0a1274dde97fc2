"""How the `DueJobs` index spreads an item's due work: over `JOB_SHARDS` partitions per kind, by a
hash of the invoice id, so no partition holds a whole day's (or a whole kind's) work. The outbox and
the invoices' job entries shard the same way, and a job reads every shard."""

from __future__ import annotations

import hashlib

JOB_SHARDS = 10


def job_shard(invoice_id: str) -> int:
    return int(hashlib.sha256(invoice_id.encode()).hexdigest(), 16) % JOB_SHARDS
