"""The Loket platform around the four services: contracts, infrastructure, the developer stack,
simulators, benchmarks and the `loket` command line. See docs/architecture.md."""
