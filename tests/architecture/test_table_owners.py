"""One owner per table: in each service exactly one module writes a given table (INSERT, UPDATE,
DELETE or COPY), so every rule about a table's rows stands in one place. The platform's own
tables (outbox, inbox, schema_migrations) are written only by `loket.infra.db`."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from tests.architecture.imports import ROOT

SERVICES = ("booking", "notify", "ebox_bridge", "reporting")
PLATFORM_TABLES = {"outbox", "inbox", "schema_migrations"}
WRITE = re.compile(
    r"""(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:\{[^}]*\}\.|[a-z_]+\.)?([a-z_]+)\b"""
    r"""|copy_records_to_table\(\s*["']([a-z_]+)["']""",
    re.IGNORECASE,
)


def tables_of(service: str) -> set[str]:
    found = set()
    for sql in (ROOT / "services" / service / "migrations").glob("*.sql"):
        found.update(re.findall(r"CREATE TABLE(?: IF NOT EXISTS)? ([a-z_]+)", sql.read_text(), re.IGNORECASE))
    return found


def writers(root: str, tables: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for path in (ROOT / root).rglob("*.py"):
        for match in WRITE.finditer(path.read_text()):
            table = (match.group(1) or match.group(2)).lower()
            if table in tables:
                found[table].add(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_each_table_has_one_writing_module(service: str) -> None:
    tables = tables_of(service)
    assert tables, f"no tables found in services/{service}/migrations"
    shared = {t: sorted(m) for t, m in writers(f"services/{service}", tables).items() if len(m) > 1}
    assert not shared, f"tables written by more than one module in {service}: {shared}"


def test_platform_tables_are_written_by_the_platform_only() -> None:
    for service in SERVICES:
        assert not writers(f"services/{service}", PLATFORM_TABLES), f"{service} writes a platform table"


def test_the_scanner_sees_each_kind_of_write() -> None:
    sample = ('INSERT INTO {schema}.letters', 'UPDATE {self.schema}.letters l SET', 'DELETE FROM x.letters',
              'copy_records_to_table("letters", schema_name=s)')
    assert all(WRITE.search(s).group(1) or WRITE.search(s).group(2) for s in sample)


def test_identity_tables_have_one_writing_module() -> None:
    """The identity schema belongs to the platform: one module writes each of its tables."""
    tables = set()
    for sql in (ROOT / "loket" / "infra" / "identity" / "migrations").glob("*.sql"):
        tables.update(re.findall(r"CREATE TABLE ([a-z_]+)", sql.read_text(), re.IGNORECASE))
    assert {"accounts", "sessions", "api_keys", "tenants"} <= tables
    found = writers("loket", tables)
    assert sorted(found["accounts"]) == sorted(found["sessions"]) == ["loket/infra/identity/account_repository.py"]
    shared = {t: sorted(m) for t, m in found.items() if len(m) > 1}
    assert not shared, f"identity tables written by more than one module: {shared}"
