"""Rollout policy versions in PostgreSQL; the newest version is in force.

The document goes in and out as text (`$1::text::jsonb`, `document::text`) so that the same
code works on a pool with a JSON codec (the services) and on a bare connection (`loket policy`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import asyncpg

from loket.contracts.reference.language_regime import municipality_name
from loket.infra.db.change_signals import announce
from services.ebox_bridge.policy.errors import PolicyError
from services.ebox_bridge.policy.loader import parse_policy_yaml, policy_from_data
from services.ebox_bridge.policy.model import (
    NULLABLE_OPTIONS,
    OPTION_NAMES,
    PolicyDocument,
    RolloutPolicy,
)

DEFAULT_SCHEMA = "ebox_bridge"
POLICY = "policy"  # the change signal of `rollout_policy_versions`


async def current_version(conn: asyncpg.Connection, schema: str = DEFAULT_SCHEMA) -> int | None:
    """Cheap: the service's refresh loop calls it every few seconds."""
    return await conn.fetchval(f"SELECT max(version) FROM {schema}.rollout_policy_versions")


async def load_current(conn: asyncpg.Connection, schema: str = DEFAULT_SCHEMA) -> RolloutPolicy | None:
    row = await conn.fetchrow(
        f"SELECT version, document::text AS document FROM {schema}.rollout_policy_versions "
        "ORDER BY version DESC LIMIT 1"
    )
    if row is None:
        return None
    # Validated again: belgica or the model may have changed since the version was stored.
    document = policy_from_data(json.loads(row["document"]), f"policy version {row['version']}")
    return RolloutPolicy(document, row["version"])


async def import_document(
    conn: asyncpg.Connection, schema: str, document: PolicyDocument, source: str
) -> int:
    """Store a new version, unless it is identical to the one in force; returns the version."""
    async with conn.transaction():
        await _lock(conn, schema)
        return await _store(conn, schema, document, source)


async def ensure_imported(conn: asyncpg.Connection, schema: str, path: Path) -> RolloutPolicy:
    """The policy in force; the file is imported first when the database has none (service start)."""
    current = await load_current(conn, schema)
    if current is not None:
        return current
    document = parse_policy_yaml(path.read_text(encoding="utf-8"), str(path))
    version = await import_document(conn, schema, document, f"file {path.name}")
    return RolloutPolicy(document, version)


async def set_rule(
    conn: asyncpg.Connection, schema: str, municipality: str, department: str, document_type: str,
    changes: Mapping[str, Any], source: str = "loket policy set",
) -> int:
    """A new version with one document type's rule changed, or added to an onboarded municipality.

    `changes` maps option names to values. None removes the option (it inherits again), except
    for escalate_unread_after_days where None is an explicit "no escalation".
    """
    unknown = sorted(set(changes) - set(OPTION_NAMES))
    if unknown:
        raise PolicyError(f"unknown option(s) {', '.join(unknown)}; known: {', '.join(OPTION_NAMES)}")
    async with conn.transaction():
        # Read-modify-write under the lock: two concurrent `set`s must not lose one another.
        await _lock(conn, schema)
        current = await load_current(conn, schema)
        if current is None:
            raise PolicyError("no rollout policy yet: import one first (`loket policy import FILE`)")
        data = current.document.data()
        town = data["municipalities"].get(municipality)
        if town is None:
            name = municipality_name(municipality)  # "unknown municipality … (not a REFNIS code)"
            raise PolicyError(
                f"municipality {municipality} ({name}) is not onboarded; add it with its sender block "
                "to the policy YAML and import it (`loket policy import FILE`)"
            )
        dept = town.setdefault("departments", {}).setdefault(department, {"document_types": {}})
        rule = dept["document_types"].setdefault(document_type, {})
        for key, value in changes.items():
            if value is None and key not in NULLABLE_OPTIONS:
                rule.pop(key, None)
            else:
                rule[key] = value
        where = f"{municipality}/{department}/{document_type}"
        document = policy_from_data(data, where)
        return await _store(conn, schema, document, f"{source}: {where}")


async def _lock(conn: asyncpg.Connection, schema: str) -> None:
    # One writer at a time, so two imports cannot both decide "this is new".
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{schema}:rollout_policy")


async def _store(conn: asyncpg.Connection, schema: str, document: PolicyDocument, source: str) -> int:
    row = await conn.fetchrow(
        f"SELECT version, fingerprint FROM {schema}.rollout_policy_versions ORDER BY version DESC LIMIT 1"
    )
    if row is not None and row["fingerprint"] == document.fingerprint():
        return int(row["version"])
    version = int(await conn.fetchval(
        f"INSERT INTO {schema}.rollout_policy_versions (document, fingerprint, source) "
        "VALUES ($1::text::jsonb, $2, $3) RETURNING version",
        document.canonical_json(), document.fingerprint(), source,
    ))
    await announce(conn, POLICY)  # every bridge replica takes the new version at commit
    return version
