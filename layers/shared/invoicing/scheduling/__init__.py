"""Scheduled sending: a draft is published and mailed at a set time by a one-time EventBridge
Scheduler schedule, with a sweep over the `DueJobs` index as its safety net (ARCHITECTURE.md,
"Scheduled sending")."""
