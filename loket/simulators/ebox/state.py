"""Everything the simulator holds, in one object the routes share."""

from __future__ import annotations

from dataclasses import dataclass

from loket.simulators.ebox.citizens import Citizens
from loket.simulators.ebox.enterprises import Enterprises
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
    enterprises: Enterprises

    def recipients(self, kind: str) -> Citizens:
        """Who decides whether a recipient of this kind ("citizen", "enterprise") is digital."""
        return self.enterprises if kind == "enterprise" else self.citizens

    @classmethod
    def from_settings(cls, s: EboxSimSettings) -> SimState:
        return cls(
            settings=s,
            tokens=TokenIssuer(s.client_ids, s.scopes, s.token_ttl_s, s.client_public_key_pem),
            citizens=Citizens(s.seed, s.share_digital_percent),
            mailbox=Mailbox(s.seed, s.read_share_percent, s.read_delay_s, s.message_ttl_days),
            faults=Faults(s.faults, s.seed, s.hang_s, s.retry_after_s),
            enterprises=Enterprises(s.seed, s.share_digital_enterprises_percent),
        )

    def reset(self) -> None:
        # Tokens survive a reset so a test can clear the record without re-authenticating.
        self.citizens.reset()
        self.enterprises.reset()
        self.mailbox.reset()
        self.faults.reset()
