"""`loket up` takes its usual ports when free, or, with LOKET_WELL_KNOWN_PORTS=false, none of
them: two systems on one machine then never reach for the same port. A fresh port is picked
where outgoing connections never land."""

from __future__ import annotations

from loket.infra.embedded import ports
from loket.infra.embedded.ports import free_port, port_is_free, preferred_port


def test_a_free_usual_port_is_taken_unless_told_otherwise() -> None:
    usual = free_port()
    assert preferred_port(usual) == usual
    assert preferred_port(usual, well_known=False) != usual


def test_a_port_promised_elsewhere_is_never_handed_out() -> None:
    usual = free_port()
    assert preferred_port(usual, avoid=[usual]) != usual


def test_a_fresh_port_lies_below_the_kernels_range_for_outgoing_connections(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Between the pick and the server's bind, an outgoing connection could take a port from that
    range as its own end; none takes one below it."""
    local_range = tmp_path / "ip_local_port_range"
    local_range.write_text("40000\t60999\n")
    monkeypatch.setattr(ports, "_LOCAL_PORT_RANGE", local_range)
    picked = {free_port() for _ in range(50)}
    assert all(15000 <= port < 40000 for port in picked), sorted(picked)
    assert len(picked) > 40  # random picks, not one fixed port


def test_without_a_readable_range_the_kernel_picks(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ports, "_LOCAL_PORT_RANGE", tmp_path / "absent")
    port = free_port()
    assert port_is_free(port)
