"""`make bench`: measurements of the deployed code, written to BENCHMARKS.md one section each."""
