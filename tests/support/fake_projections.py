"""reporting's read models in memory: the `ProjectionStore` the unit tests hand to `ProjectEvents`.

It applies each event type's `Upsert` (services/reporting/projector.py) the way PostgreSQL runs
the generated `INSERT … ON CONFLICT (key) DO UPDATE`: a new key inserts the row (columns the
event does not know stay None); an existing key merges each column by its `Rule`, every rule
reading the row as it was before the statement. The SQL itself keeps its PostgreSQL tests
(tests/integration/test_reporting_figures.py).
"""

from __future__ import annotations

from typing import Any

from services.reporting.projector import ERASED, STATEMENTS, Row, Rule

KEYS = {s.upsert.table: s.upsert.key for s in STATEMENTS.values()}
COLUMNS = {t: sorted({c for s in STATEMENTS.values() if s.upsert.table == t for c in s.upsert.columns}) for t in KEYS}


def _merge(rule: Rule, column: str, old: dict[str, Any], new: dict[str, Any]) -> Any:
    if rule.kind == "keep":  # coalesce(old, new)
        return old.get(column) if old.get(column) is not None else new[column]
    if rule.kind == "latest":  # EXCLUDED.c, NULL included
        return new[column]
    if rule.kind == "greatest":  # PostgreSQL's greatest() ignores NULLs
        present = [v for v in (old.get(column), new[column]) if v is not None]
        return max(present) if present else None
    if rule.kind == "versioned":  # CASE WHEN old.v > new.v THEN old.c ELSE new.c END (NULL: not greater)
        assert rule.version is not None
        before, after = old.get(rule.version), new.get(rule.version)
        older = before is not None and after is not None and before > after
        return old.get(column) if older else new[column]
    raise AssertionError(f"the fake does not know the rule {rule.kind!r}")


class FakeProjections:
    """`tables[table][key]` is a row as a dict of column → value."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[Any, dict[str, Any]]] = {}
        self.calls: list[tuple[str, int]] = []  # (event type, rows) per upsert call

    async def upsert(self, conn: Any, event_type: str, rows: list[Row]) -> None:
        upsert = STATEMENTS[event_type].upsert
        table = self.tables.setdefault(upsert.table, {})
        self.calls.append((event_type, len(rows)))
        for values in rows:  # executemany: one statement per row, in order
            new = dict(zip(upsert.columns, values, strict=True))
            key = new[upsert.key]
            old = table.get(key)
            if old is None:
                table[key] = new
                continue
            merged = {c: _merge(upsert.rule(c), c, old, new) for c in upsert.columns if c != upsert.key}
            old.update(merged)

    async def erase_citizen(self, conn: Any, pseudonym: str, replacement: str) -> None:
        for row in self.tables.get("activations", {}).values():
            if row.get("citizen") == pseudonym:
                row["citizen"] = replacement
        for row in self.tables.get("letters", {}).values():
            if row.get("citizen") == pseudonym:
                row["citizen"], row["citizen_version"] = replacement, ERASED

    def rows(self, table: str) -> list[dict[str, Any]]:
        """The table's rows with every column the projections write, unknown ones None."""
        return [{c: row.get(c) for c in COLUMNS[table]} for row in self.tables.get(table, {}).values()]

    def row(self, table: str, key: Any) -> dict[str, Any]:
        return {c: self.tables[table][key].get(c) for c in COLUMNS[table]}

    def snapshot(self) -> dict[str, dict[Any, dict[str, Any]]]:
        """Every table as {key: full row}, for comparing two runs."""
        return {t: {k: self.row(t, k) for k in rows} for t, rows in self.tables.items()}
