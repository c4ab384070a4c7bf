"""`loket up` takes its usual ports when free, or, with LOKET_WELL_KNOWN_PORTS=false, none of
them: two systems on one machine then never reach for the same port."""

from __future__ import annotations

from loket.infra.embedded.ports import free_port, preferred_port


def test_a_free_usual_port_is_taken_unless_told_otherwise() -> None:
    usual = free_port()
    assert preferred_port(usual) == usual
    assert preferred_port(usual, well_known=False) != usual


def test_a_port_promised_elsewhere_is_never_handed_out() -> None:
    usual = free_port()
    assert preferred_port(usual, avoid=[usual]) != usual
