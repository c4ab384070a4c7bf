"""Rollout policy versions in PostgreSQL; the newest version is in force."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import asyncpg

from services.ebox_bridge.policy.errors import PolicyError
from services.ebox_bridge.policy.loader import parse_policy_yaml, policy_from_data
from services.ebox_bridge.policy.model import PolicyDocument, RolloutPolicy


async def current_version(conn: asyncpg.Connection, schema: str) -> int | None:
    return await conn.fetchval(f"SELECT max(version) FROM {schema}.rollout_policy_versions")


async def load_current(conn: asyncpg.Connection, schema: str) -> RolloutPolicy | None:
    row = await conn.fetchrow(
        f"SELECT version, document FROM {schema}.rollout_policy_versions ORDER BY version DESC LIMIT 1"
    )
    if row is None:
        return None
    document = policy_from_data(json.loads(row["document"]), f"policy version {row['version']}")
    return RolloutPolicy(document, row["version"])


async def import_document(conn: asyncpg.Connection, schema: str, document: PolicyDocument, source: str) -> int:
    """Store a new version, unless it is identical to the one in force; returns the version."""
    async with conn.transaction():
        # One writer at a time, so two imports cannot both decide "this is new".
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{schema}:policy")
        row = await conn.fetchrow(
            f"SELECT version, fingerprint FROM {schema}.rollout_policy_versions ORDER BY version DESC LIMIT 1"
        )
        if row is not None and row["fingerprint"] == document.fingerprint():
            return int(row["version"])
        return int(await conn.fetchval(
            f"INSERT INTO {schema}.rollout_policy_versions (document, fingerprint, source) "
            "VALUES ($1, $2, $3) RETURNING version",
            document.canonical_json(), document.fingerprint(), source,
        ))


async def ensure_imported(conn: asyncpg.Connection, schema: str, path: Path) -> RolloutPolicy:
    """The policy in force; the file is imported first when the database has none."""
    current = await load_current(conn, schema)
    if current is not None:
        return current
    document = parse_policy_yaml(path.read_text(), str(path))
    version = await import_document(conn, schema, document, f"file {path.name}")
    return RolloutPolicy(document, version)


async def set_rule(
    conn: asyncpg.Connection, schema: str, municipality: str, department: str, document_type: str,
    changes: dict[str, Any], source: str = "loket policy set",
) -> int:
    """A new version with one document type's rule changed (or added to an onboarded town)."""
    current = await load_current(conn, schema)
    if current is None:
        raise PolicyError("no rollout policy yet: import one first (`loket policy import FILE`)")
    data = current.document.model_dump(mode="json", exclude_none=True)
    town = data["municipalities"].get(municipality)
    if town is None:
        raise PolicyError(
            f"municipality {municipality} is not onboarded; add it (with its sender block) to the "
            "YAML and import it"
        )
    rule = town["departments"].setdefault(department, {"document_types": {}})["document_types"].setdefault(document_type, {})
    for key, value in changes.items():
        if value is None:
            rule.pop(key, None)
        else:
            rule[key] = value
    document = policy_from_data(data, f"{municipality}/{department}/{document_type}")
    return await import_document(conn, schema, document, source)
