"""Everything the simulator holds, in one object the routes share."""

from __future__ import annotations

from dataclasses import dataclass

from loket.simulators.ebox.citizens import Citizens
from loket.simulators.ebox.faults import Faults
from loket.simulators.ebox.mailbox import Mailbox
from loket.simulators.ebox.settings import EboxSimSettings
from loket.simulators.ebox.tokens import TokenIssuer


@dataclass
class SimState:
    settings: EboxSimSettings
    tokens: TokenIssuer
    citizens: Citizens
    mailbox: Mailbox
    faults: Faults

    @classmethod
    def from_settings(cls, s: EboxSimSettings) -> SimState:
        return cls(
            settings=s,
            tokens=TokenIssuer(s.client_ids, s.scopes, s.token_ttl_s, s.client_public_key_pem),
            citizens=Citizens(s.seed, s.share_digital_percent),
            mailbox=Mailbox(s.seed, s.read_share_percent, s.read_delay_s, s.message_ttl_days),
            faults=Faults(s.faults, s.seed, s.hang_s, s.retry_after_s),
        )

    def reset(self) -> None:
        # Tokens survive a reset so a test can clear the record without re-authenticating.
        self.citizens.reset()
        self.mailbox.reset()
        self.faults.reset()
