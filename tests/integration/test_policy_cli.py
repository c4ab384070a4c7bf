"""`loket policy` against a real PostgreSQL: import, show, set, and refusals that change nothing.

Each test works in its own schema (the hidden --schema option) so that versions are exact and
other tests sharing the session's database are not disturbed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from typer.testing import CliRunner, Result

from loket.cli.policy_cmd import MIGRATIONS, app
from loket.infra.db.schema import migrate_service_schema
from services.ebox_bridge.policy import RolloutPolicy, parse_policy_yaml
from services.ebox_bridge.policy.repository import import_document, load_current, set_rule

SHIPPED = Path(__file__).parents[2] / "deploy" / "policy" / "rollout.yaml"


async def invoke(database_url: str | None, *args: str, env: dict[str, str | None] | None = None) -> Result:
    # The CLI runs its own event loop (asyncio.run): give it a thread, away from the test's loop.
    env = {"COLUMNS": "250", "LOKET_DATABASE_URL": database_url, **(env or {})}
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)


async def versions(pool: asyncpg.Pool, schema: str) -> list[int]:
    return [r["version"] for r in await pool.fetch(f"SELECT version FROM {schema}.rollout_policy_versions ORDER BY 1")]


async def current(pool: asyncpg.Pool, schema: str) -> RolloutPolicy:
    async with pool.acquire() as conn:
        policy = await load_current(conn, schema)
    assert policy is not None
    return policy


async def test_import_twice_keeps_one_version_and_show_lists_it(database_url: str, pool: asyncpg.Pool, schema: str) -> None:
    first = await invoke(database_url, "import", str(SHIPPED), "--schema", schema)
    assert first.exit_code == 0, first.output
    assert "imported as version 1; 0 → 19 rules (19 added, 0 removed, 0 changed)" in first.output
    again = await invoke(database_url, "import", str(SHIPPED), "--schema", schema)
    assert again.exit_code == 0 and "identical to version 1; nothing imported" in again.output
    assert await versions(pool, schema) == [1]

    shown = await invoke(database_url, "show", "--schema", schema)
    assert shown.exit_code == 0, shown.output
    assert "rollout policy v1" in shown.output and (await current(pool, schema)).fingerprint[:16] in shown.output
    lines = shown.output.splitlines()
    sanction = next(line for line in lines if "administrative_sanction" in line)
    for cell in ("12025", "Mechelen", "gas", "ebox_first", "yes", "registered", "10 d", "7 d", "nl"):
        assert cell in sanction, cell
    assert any("Etterbeek" in line and "fr, nl" in line for line in lines)

    only = await invoke(database_url, "show", "--municipality", "63023", "--format", "yaml", "--schema", schema)
    assert only.exit_code == 0, only.output
    assert "Stadt Eupen" in only.output and "Stad Mechelen" not in only.output and "version 1" in only.output
    unknown = await invoke(database_url, "show", "--municipality", "99999", "--schema", schema)
    assert unknown.exit_code == 2 and "unknown municipality 99999 (not a REFNIS code)" in unknown.output


async def test_set_changes_one_rule_and_bumps_the_version(database_url: str, pool: asyncpg.Pool, schema: str) -> None:
    assert (await invoke(database_url, "import", str(SHIPPED), "--schema", schema)).exit_code == 0
    before = await current(pool, schema)
    assert before.resolve("12025", "housing", "permit").channel == "paper_only"

    done = await invoke(database_url, "set", "12025", "housing", "permit", "--channel", "ebox_first",
                        "--escalate-unread-after-days", "20", "--registered", "--schema", schema)
    assert done.exit_code == 0, done.output
    assert f"version {before.version} → {before.version + 1}" in done.output
    after = await current(pool, schema)
    rule = after.resolve("12025", "housing", "permit")
    assert (rule.channel, rule.escalate_unread_after_days, rule.postage_class) == ("ebox_first", 20, "registered")
    # the other rules are untouched
    assert [r for r in before.rules() if r[2] != "permit"] == [r for r in after.rules() if r[2] != "permit"]

    off = await invoke(database_url, "set", "12025", "finance", "tax_assessment", "--no-escalation", "--schema", schema)
    assert off.exit_code == 0, off.output
    assert (await current(pool, schema)).resolve("12025", "finance", "tax_assessment").escalate_unread_after_days is None
    added = await invoke(database_url, "set", "12025", "culture", "ticket", "--message-type-id", "CULT-1", "--schema", schema)
    assert added.exit_code == 0, added.output
    assert (await current(pool, schema)).resolve("12025", "culture", "ticket").message_type_id == "CULT-1"
    assert await versions(pool, schema) == [1, 2, 3, 4]


async def test_refused_changes_exit_2_and_change_nothing(
    database_url: str, pool: asyncpg.Pool, schema: str, tmp_path: Path
) -> None:
    assert (await invoke(database_url, "import", str(SHIPPED), "--schema", schema)).exit_code == 0
    broken = tmp_path / "rollout.yaml"
    broken.write_text(SHIPPED.read_text().replace("invoice: {message_type_id: \"invoice\"}", "invoice: {channel: email}")
                      .replace("registered: true", "registered: maybe"))
    cases = [
        (("import", str(broken)), [
            f"{broken}: 2 problem(s)",
            "municipalities.12025.departments.finance.document_types.invoice.channel: must be one of ebox_first, "
            "paper_only, both, ebox_only (got 'email')",
            "municipalities.12025.departments.gas.registered:",
        ]),
        (("import", str(broken), "--dry-run"), ["invoice.channel: must be one of"]),
        (("set", "12025", "finance", "invoice", "--escalate-unread-after-days", "0"),
         ["municipalities.12025.departments.finance.document_types.invoice.escalate_unread_after_days"]),
        (("set", "11001", "finance", "invoice", "--channel", "both"), ["municipality 11001 (Aartselaar) is not onboarded"]),
        (("set", "99999", "finance", "invoice", "--channel", "both"), ["unknown municipality 99999 (not a REFNIS code)"]),
        (("set", "12025", "finance", "invoice", "--channel", "email"), ["email"]),
    ]
    for args, expected in cases:
        result = await invoke(database_url, *args, "--schema", schema)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        for text in expected:
            assert text in result.output, (args, text, result.output)
    assert await versions(pool, schema) == [1]
    assert (await invoke(None, "validate", str(broken))).exit_code == 2
    assert (await invoke(None, "validate", str(SHIPPED))).exit_code == 0


async def test_without_a_database_the_message_says_how_to_get_one(tmp_path: Path) -> None:
    result = await invoke(None, "show", env={"LOKET_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "LOKET_DATABASE_URL" in result.output and "loket up" in result.output


async def test_versions_written_through_a_json_codec_pool_read_on_a_bare_connection(
    database_url: str, pool: asyncpg.Pool, schema: str
) -> None:
    # The services write through a pool with a JSON codec, `loket policy` through a bare
    # connection: a version stored by one must be a JSON object the other can read.
    document = parse_policy_yaml(SHIPPED.read_text(), str(SHIPPED))
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, MIGRATIONS)
        version = await import_document(conn, schema, document, "test")
    assert await pool.fetchval(f"SELECT jsonb_typeof(document) FROM {schema}.rollout_policy_versions") == "object"
    bare = await asyncpg.connect(database_url)
    try:
        policy = await load_current(bare, schema)
        assert policy is not None and policy.version == version and policy.fingerprint == document.fingerprint()
        # two concurrent changes on two connections: neither is lost
        async with pool.acquire() as other:
            await asyncio.gather(
                set_rule(bare, schema, "12025", "finance", "invoice", {"channel": "both"}),
                set_rule(other, schema, "12025", "finance", "reminder", {"channel": "paper_only"}),
            )
    finally:
        await bare.close()
    latest = await current(pool, schema)
    assert latest.version == version + 2
    assert latest.resolve("12025", "finance", "invoice").channel == "both"
    assert latest.resolve("12025", "finance", "reminder").channel == "paper_only"
