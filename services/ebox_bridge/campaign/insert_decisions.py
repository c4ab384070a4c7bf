"""Deciding, as a print batch closes, which of its letters carry the insert page.

Inside the batch's transaction: the decisions commit with the batch, so the batch's files stay
a pure function of what is stored (a crash before the files are written rewrites the same
files) and every replica sees the same arms.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import asyncpg

from loket.infra.identity.tenants import Tenant
from services.ebox_bridge.campaign import repository
from services.ebox_bridge.campaign.help_points import nearest_for_insert
from services.ebox_bridge.campaign.insert_rules import (
    PaperLetter,
    arm_for,
    campaign_ref,
    qualifies,
    quarter_of,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


async def decide_inserts(conn: asyncpg.Connection, schema: str, rows: list[asyncpg.Record],
                         tenants: Mapping[str, Tenant], now: dt.datetime) -> list[repository.InsertDecision]:
    """The decisions (`insert` or `holdout`) for the letters that took part; the others (not
    qualifying, abroad, or a recipient already decided this quarter) are not in the result.
    `rows` need letter_id, municipality, department, routing, recipient_kind, ssin, postal_address."""
    quarter = quarter_of(now.astimezone(BRUSSELS).date())
    candidates = []
    for row in rows:
        tenant = tenants.get(row["municipality"])
        if tenant is None:
            continue
        qualified = qualifies(PaperLetter(row["municipality"], row["department"], row["routing"],
                                          row["recipient_kind"]), tenant.paper_insert)
        postcode = _belgian_postcode(row["postal_address"])
        if qualified is not None and postcode is not None:
            candidates.append((row, qualified, postcode))
    if not candidates:
        return []
    cards = await repository.all_cards(conn, schema)
    if not cards:  # booking has published no point yet: an insert could only say "ask at the town hall"
        return []
    keyer = await repository.recipient_keyer(conn, schema, quarter)
    keyed = [(row, q, postcode, keyer(row["ssin"])) for row, q, postcode in candidates]
    decided = await repository.recipients_decided(conn, schema, quarter,
                                                  [(row["municipality"], key) for row, _, _, key in keyed])
    decisions = []
    for row, qualified, postcode, key in keyed:
        if (row["municipality"], key) in decided:
            continue
        decided.add((row["municipality"], key))  # a second letter in this batch: no second insert
        campaign = campaign_ref(row["municipality"], quarter)
        decisions.append(repository.InsertDecision(
            row["letter_id"], row["municipality"], row["department"], quarter, key,
            arm_for(key, campaign, qualified.holdout_share), qualified.variant, campaign,
            tuple(card.point_id for card, _ in nearest_for_insert(cards, postcode))))
    stood = await repository.record(conn, schema, decisions)
    return [d for d in decisions if d.letter_id in stood]


def _belgian_postcode(raw: object) -> str | None:
    """The address's postcode when it is in Belgium (the points are Belgian), else None."""
    if raw is None:
        return None
    address = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(address, dict) or address.get("country", "BE") != "BE":
        return None
    postcode = address.get("postcode")
    return postcode if isinstance(postcode, str) else None
