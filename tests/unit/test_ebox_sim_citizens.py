"""Seeded citizens and the simulated reader of the eBox simulator."""

from __future__ import annotations

from stdnum.be import nn

from loket.simulators.ebox.citizens import Citizens
from loket.simulators.ebox.mailbox import Mailbox


def ssins(count: int) -> list[str]:
    # Citizens born 1985-07-30 with sequence numbers 1..count, check digits mod 97.
    out = []
    for seq in range(1, count + 1):
        base = f"850730{seq:03d}"
        out.append(f"{base}{97 - int(base) % 97:02d}")
    assert all(nn.is_valid(s) for s in out)
    return out


def test_share_of_digital_citizens_is_near_the_setting_and_deterministic() -> None:
    population = ssins(997)
    digital = [s for s in population if Citizens(0, 35).is_digital(s)]
    assert 0.30 < len(digital) / len(population) < 0.40
    assert digital == [s for s in population if Citizens(0, 35).is_digital(s)]
    assert not any(Citizens(0, 0).is_digital(s) for s in population)


def test_activation_makes_a_citizen_digital_until_reset() -> None:
    citizens = Citizens(0, 0)
    citizens.activate("85073003328")
    assert citizens.is_digital("85073003328") and citizens.preference("85073003328")
    citizens.reset()
    assert citizens.preference("85073003328") is None


def test_simulated_reader_opens_only_delivered_digital_messages() -> None:
    opens_all = Mailbox(seed=0, read_share_percent=100, read_delay_s=0, message_ttl_days=1)
    digital = opens_all.publish("k1", "85073003328", b"pdf", digital=True, sender="0206731645")
    paper = opens_all.publish("k2", "17073003384", b"pdf", digital=False, sender="0206731645")
    assert opens_all.is_read(digital) and not opens_all.is_read(paper)
    waits = Mailbox(seed=0, read_share_percent=100, read_delay_s=3600, message_ttl_days=1)
    assert not waits.is_read(waits.publish("k3", "85073003328", b"pdf", digital=True, sender="0206731645"))
