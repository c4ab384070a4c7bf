"""Migrations: concurrent processes leave one correct schema; edited files are refused."""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from pathlib import Path

import pytest

from loket.infra.db.migrations import MigrationError, apply_migrations
from tests.support.migrate_once import SAMPLE


async def run_migrator(database_url: str, schema: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.migrate_once", database_url, schema,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    return proc.returncode or 0, (out + err).decode()


async def test_two_processes_migrating_at_once_leave_one_correct_schema(pool, database_url) -> None:  # type: ignore[no-untyped-def]
    schema = f"m_{uuid.uuid4().hex[:10]}"
    try:
        results = await asyncio.gather(*(run_migrator(database_url, schema) for _ in range(2)))
        assert [code for code, _ in results] == [0, 0], results
        applied = sorted(filter(None, ",".join(out.strip() for _, out in results).split(",")))
        assert applied == ["0001_points.sql", "0002_helpers.sql", "0003_counter.sql"]  # each once
        assert await pool.fetchval(f"SELECT count(*) FROM {schema}.helpers") == 1
        assert await pool.fetchval(f"SELECT visits FROM {schema}.points") == 1
        versions = await pool.fetch(f"SELECT version FROM {schema}.schema_migrations ORDER BY version")
        assert [r["version"] for r in versions] == [1, 2, 3]
    finally:
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


async def test_rerunning_is_a_no_op_and_an_edited_migration_is_refused(pool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    schema = f"m_{uuid.uuid4().hex[:10]}"
    folder = tmp_path / "migrations"
    shutil.copytree(SAMPLE, folder)
    try:
        async with pool.acquire() as conn:
            assert len(await apply_migrations(conn, schema, folder)) == 3
            assert await apply_migrations(conn, schema, folder) == []
            (folder / "0001_points.sql").write_text("CREATE TABLE points (id int);\n")
            with pytest.raises(MigrationError, match="changed after it was applied"):
                await apply_migrations(conn, schema, folder)
    finally:
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_badly_named_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "1_points.sql").write_text("SELECT 1;")
    from loket.infra.db.migrations import load_migrations

    with pytest.raises(MigrationError, match="NNNN_description.sql"):
        load_migrations(tmp_path)
