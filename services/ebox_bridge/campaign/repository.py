"""`help_points`, `paper_inserts` and `insert_quarter_keys`: the campaign's tables."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from loket.contracts.points import AssistancePointPublishedPayload


async def store_card(conn: asyncpg.Connection, schema: str, card: AssistancePointPublishedPayload) -> None:
    """Keep the newest card of a point; an older one arriving late changes nothing."""
    await conn.execute(
        f"""INSERT INTO {schema}.help_points (point_id, municipality, card, published_at)
            VALUES ($1, $2, $3::text::jsonb, $4)
            ON CONFLICT (point_id) DO UPDATE SET municipality = excluded.municipality, card = excluded.card,
                published_at = excluded.published_at, received_at = now()
            WHERE help_points.published_at < excluded.published_at""",
        card.point_id, card.municipality, card.model_dump_json(), card.published_at)


async def all_cards(conn: asyncpg.Connection, schema: str) -> list[AssistancePointPublishedPayload]:
    rows = await conn.fetch(f"SELECT card::text AS card FROM {schema}.help_points ORDER BY point_id")
    return [AssistancePointPublishedPayload.model_validate_json(r["card"]) for r in rows]


async def recipient_keyer(conn: asyncpg.Connection, schema: str, quarter: str) -> RecipientKeyer:
    """The quarter's keyed digest of national numbers (its key made on first use)."""
    await conn.execute(
        f"INSERT INTO {schema}.insert_quarter_keys (quarter, key) VALUES ($1, $2) ON CONFLICT (quarter) DO NOTHING",
        quarter, secrets.token_bytes(32))
    key = await conn.fetchval(f"SELECT key FROM {schema}.insert_quarter_keys WHERE quarter = $1", quarter)
    return RecipientKeyer(bytes(key))


@dataclass(frozen=True)
class RecipientKeyer:
    key: bytes

    def __call__(self, ssin: str) -> str:
        return hmac.new(self.key, ssin.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class InsertDecision:
    letter_id: UUID
    municipality: str
    department: str
    quarter: str
    recipient_key: str
    arm: str
    variant: str
    campaign: str
    point_ids: tuple[str, ...]


async def recipients_decided(conn: asyncpg.Connection, schema: str, quarter: str,
                             keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Of (municipality, recipient_key) pairs, those with a decision this quarter already."""
    rows = await conn.fetch(
        f"""SELECT municipality, recipient_key FROM {schema}.paper_inserts
            WHERE quarter = $1 AND (municipality, recipient_key) IN
                  (SELECT * FROM unnest($2::text[], $3::text[]))""",
        quarter, [m for m, _ in keys], [k for _, k in keys])
    return {(r["municipality"], r["recipient_key"]) for r in rows}


async def record(conn: asyncpg.Connection, schema: str, decisions: list[InsertDecision]) -> set[UUID]:
    """Store the decisions; returns the letters whose decision stands (a concurrent decision
    for the same recipient and quarter wins over ours, and that letter then gets nothing)."""
    if not decisions:
        return set()
    rows = await conn.fetch(
        f"""INSERT INTO {schema}.paper_inserts
                (letter_id, municipality, department, quarter, recipient_key, arm, variant, campaign, point_ids)
            SELECT l, m, d, q, k, a, v, c, string_to_array(p, ',')
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                        $8::text[], $9::text[]) AS t(l, m, d, q, k, a, v, c, p)
            ON CONFLICT DO NOTHING RETURNING letter_id""",
        [d.letter_id for d in decisions], [d.municipality for d in decisions], [d.department for d in decisions],
        [d.quarter for d in decisions], [d.recipient_key for d in decisions], [d.arm for d in decisions],
        [d.variant for d in decisions], [d.campaign for d in decisions],
        [",".join(d.point_ids) for d in decisions])
    return {r["letter_id"] for r in rows}


@dataclass(frozen=True)
class PrintedInsert:
    variant: str
    campaign: str
    point_ids: tuple[str, ...]


async def inserts_of_batch(conn: asyncpg.Connection, schema: str, batch_id: str) -> dict[UUID, PrintedInsert]:
    """The batch's letters that carry an insert (the holdout arm carries none)."""
    rows = await conn.fetch(
        f"""SELECT i.letter_id, i.variant, i.campaign, i.point_ids FROM {schema}.paper_inserts i
            JOIN {schema}.letters l USING (letter_id) WHERE l.batch_id = $1 AND i.arm = 'insert'""", batch_id)
    return {r["letter_id"]: PrintedInsert(r["variant"], r["campaign"], tuple(r["point_ids"])) for r in rows}


async def forget_recipient(conn: asyncpg.Connection, schema: str, ssin: str) -> int:
    """An erasure: blank the citizen's recipient keys in every quarter whose key still exists
    (the decisions stay, unlinked, for the campaign's counts)."""
    rows = await conn.fetch(f"SELECT quarter, key FROM {schema}.insert_quarter_keys")
    if not rows:
        return 0
    status = await conn.execute(
        f"""UPDATE {schema}.paper_inserts SET recipient_key = NULL
            WHERE (quarter, recipient_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))""",
        [r["quarter"] for r in rows], [RecipientKeyer(bytes(r["key"]))(ssin) for r in rows])
    return int(status.split()[-1])


async def forget_quarters_ended_before(conn: asyncpg.Connection, schema: str, cutoff: dt.date) -> int:
    """Retention: quarters that ended before `cutoff` lose their key and their recipient keys,
    after which nobody can tell whose decisions they were. Returns how many quarters."""
    quarters = [q for q in await conn.fetchval(f"SELECT coalesce(array_agg(quarter), '{{}}') FROM {schema}.insert_quarter_keys")
                if quarter_end(q) < cutoff]
    if not quarters:
        return 0
    await conn.execute(f"UPDATE {schema}.paper_inserts SET recipient_key = NULL WHERE quarter = ANY($1::text[])",
                       quarters)
    await conn.execute(f"DELETE FROM {schema}.insert_quarter_keys WHERE quarter = ANY($1::text[])", quarters)
    return len(quarters)


def quarter_end(quarter: str) -> dt.date:
    """The last day of `2026Q4` → 2026-12-31."""
    year, number = int(quarter[:4]), int(quarter[5])
    first_of_next = dt.date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
    return first_of_next - dt.timedelta(days=1)
