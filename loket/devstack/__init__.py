"""The whole system on one machine: embedded servers, service processes under a supervisor and
the simulators wired to them (`loket up`, the demo, the benchmarks, the tests)."""
