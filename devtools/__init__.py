"""Developer tooling: the local stack, the admin command line, benchmarks and build checks."""
