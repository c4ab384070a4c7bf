"""How the suite shares two pytest-xdist workers: a file's tests stay on one worker (module
fixtures start once), and the serial tests (those of the one Kafka cluster CI starts for the
whole run, and the fault suites) form one unit that one worker runs in order.

Why serial: the Kafka tests share the cluster's topics and consumer groups (two systems on one
group would split each other's events), and each fault suite runs the whole system twice over
and would starve the other of the CPU its fault timings assume.

The controller sees node ids only, so a serial test is told apart by its id: a file under
`tests/chaos/`, a file with `kafka` in its name, or a `kafka` parameter. `conftest.py` fails a
`kafka`-marked test that is not named so. (Other `chaos`-marked tests, a SIGKILLed bridge for
one, use their worker's own servers and need no other test to wait.)
"""

from __future__ import annotations

import re

from xdist.scheduler import LoadScopeScheduling

SERIAL_UNIT = "serial: kafka and fault suites"
_PARAMETER_KAFKA = re.compile(r"\[(?:[^\]]*-)?kafka(?:-[^\]]*)?\]$")


def is_serial(nodeid: str) -> bool:
    path = nodeid.split("::", 1)[0]
    return path.startswith("tests/chaos/") or "kafka" in path.rsplit("/", 1)[-1] or bool(
        _PARAMETER_KAFKA.search(nodeid))


def run_order(nodeid: str) -> int:
    """Longest units first, so no worker is left with a long one at the end while the other
    idles: the serial unit, then the whole-system tests, then the rest (many short files)."""
    if is_serial(nodeid):
        return 0
    return {"e2e": 1, "integration": 2}.get(nodeid.split("/")[1], 3)


class SerialUnitScheduling(LoadScopeScheduling):
    """xdist's file scheduling (`--dist loadfile`), with the serial tests as one unit, and the
    units in the order the workers collected them (`run_order`), not by their test count."""

    def _split_scope(self, nodeid: str) -> str:
        return SERIAL_UNIT if is_serial(nodeid) else nodeid.split("::", 1)[0]
