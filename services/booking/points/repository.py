"""Assistance points in PostgreSQL (schema `booking`)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from loket.infra.db.change_signals import EVERYTHING, announce
from services.booking.points.model import AssistancePoint

POINTS = "points"  # the change signal of points, helpers and shifts, keyed by point id


async def upsert_points(conn: asyncpg.Connection, schema: str, points: list[AssistancePoint]) -> int:
    """Insert or update; returns how many rows changed (re-seeding the same file changes none)."""
    status = await conn.execute(
        f"""INSERT INTO {schema}.assistance_points
                (point_id, kind, municipality, postcode, latitude, longitude, languages, services, document)
            SELECT point_id, kind, municipality, postcode, latitude, longitude, languages::text[], services::text[], document
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[],
                                 $7::text[], $8::text[], $9::text[])
                 AS t(point_id, kind, municipality, postcode, latitude, longitude, languages, services, document)
            ON CONFLICT (point_id) DO UPDATE SET
                kind = excluded.kind, municipality = excluded.municipality, postcode = excluded.postcode,
                latitude = excluded.latitude, longitude = excluded.longitude, languages = excluded.languages,
                services = excluded.services, document = excluded.document, updated_at = now()
            WHERE assistance_points.document IS DISTINCT FROM excluded.document""",
        [p.point_id for p in points], [p.kind for p in points], [p.municipality for p in points],
        [p.address.postcode for p in points], [p.latitude for p in points], [p.longitude for p in points],
        # text[] columns from unnest of a 1-D array: each row's list travels as a '{a,b}' literal.
        ["{" + ",".join(p.languages) + "}" for p in points], ["{" + ",".join(p.services) + "}" for p in points],
        [p.model_dump_json() for p in points],
    )
    changed = int(status.split()[-1])
    if changed:  # every replica's point directory reads them again at commit
        await announce(conn, POINTS, points[0].point_id if len(points) == 1 else EVERYTHING)
    return changed


async def all_points(conn: asyncpg.Connection, schema: str) -> list[AssistancePoint]:
    rows = await conn.fetch(f"SELECT document FROM {schema}.assistance_points ORDER BY point_id")
    return [AssistancePoint.model_validate_json(r["document"]) for r in rows]


async def point_by_id(conn: asyncpg.Connection, schema: str, point_id: str) -> AssistancePoint | None:
    document = await conn.fetchval(f"SELECT document FROM {schema}.assistance_points WHERE point_id = $1", point_id)
    return AssistancePoint.model_validate_json(document) if document else None


# A point's document as its public card last went out: compared, then stored, in SQL alike.
_DOCUMENT_DIGEST = "encode(sha256(convert_to(document, 'UTF8')), 'hex')"


async def cards_due(conn: asyncpg.Connection, schema: str, republish_before: dt.datetime,
                    limit: int) -> list[AssistancePoint]:
    """Points whose document changed since their last public card, or whose card went out
    before `republish_before`, locked for this transaction (`SKIP LOCKED`: replicas share)."""
    rows = await conn.fetch(
        f"""SELECT document FROM {schema}.assistance_points
            WHERE card_digest IS NULL OR card_published_at IS NULL OR card_published_at < $1
               OR card_digest <> {_DOCUMENT_DIGEST}
            ORDER BY point_id LIMIT {int(limit)} FOR UPDATE SKIP LOCKED""", republish_before)
    return [AssistancePoint.model_validate_json(r["document"]) for r in rows]


async def mark_cards_published(conn: asyncpg.Connection, schema: str, point_ids: list[str], at: dt.datetime) -> None:
    await conn.execute(
        f"""UPDATE {schema}.assistance_points SET card_published_at = $2,
                   card_digest = {_DOCUMENT_DIGEST}
            WHERE point_id = ANY($1::text[])""", point_ids, at)
