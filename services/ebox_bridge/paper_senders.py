"""The sender block printed on a municipality's paper letters: its tenant entry's (name, address
lines, return address), or the rollout policy's for a municipality the tenant file does not
list yet (policies carried sender blocks before tenants existed)."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from services.ebox_bridge.handlers.intake import TenantSource
from services.ebox_bridge.policy_holder import PolicySource
from services.ebox_bridge.sender_block import SenderBlock


class PaperSenders:
    def __init__(self, tenants: TenantSource, policies: PolicySource) -> None:
        self.tenants, self.policies = tenants, policies

    async def current(self, conn: asyncpg.Connection) -> Callable[[str], SenderBlock]:
        tenants = await self.tenants.current(conn)
        policy = await self.policies.current(conn)

        def block(municipality: str) -> SenderBlock:
            tenant = tenants.get(municipality)
            if tenant is None:
                return policy.sender(municipality)
            paper = tenant.paper
            return SenderBlock(paper.name, tuple(paper.lines),
                               tuple(paper.return_lines) if paper.return_lines else None)

        return block
