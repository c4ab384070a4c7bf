"""The committed JSON schemas must match the code: contract changes are deliberate."""

from __future__ import annotations

import difflib
import json

from loket.contracts import EVENT_TYPES
from loket.contracts.snapshot import (
    SCHEMAS_DIR,
    current_schemas,
    read_snapshots,
    write_snapshots,
)

HINT = (
    "The event contracts changed. Review the change (changes must be additive; a breaking "
    "change needs a new schema version on a new topic), then run `loket contracts snapshot` "
    "and commit loket/contracts/schemas/."
)


def committed() -> dict[str, dict]:
    return {name: json.loads(text) for name, text in read_snapshots(SCHEMAS_DIR).items()}


def test_every_event_has_a_snapshot_and_none_is_stale() -> None:
    expected = {
        f"{name}.v{cls.model_fields['schema_version'].default}.json"
        for name, cls in EVENT_TYPES.items()
    }
    files = {path.name for path in SCHEMAS_DIR.glob("*.json")}
    missing = sorted(expected - files)
    stale = sorted(files - expected)
    assert not missing, f"no snapshot for {missing}. {HINT}"
    assert not stale, f"snapshots of events that no longer exist: {stale}. {HINT}"


def test_schemas_match_the_committed_snapshots() -> None:
    files = committed()
    for event_type, schema in current_schemas().items():
        name = (
            f"{event_type}.v{EVENT_TYPES[event_type].model_fields['schema_version'].default}.json"
        )
        if files.get(name) != schema:
            old = json.dumps(files.get(name), indent=2, sort_keys=True).splitlines()
            new = json.dumps(schema, indent=2, sort_keys=True).splitlines()
            diff = "\n".join(difflib.unified_diff(old, new, "committed", "code", lineterm=""))
            raise AssertionError(f"{name} is out of date. {HINT}\n{diff}")


def test_snapshot_files_are_sorted_pretty_json_with_trailing_newline() -> None:
    for name, text in read_snapshots(SCHEMAS_DIR).items():
        assert text.endswith("}\n"), name
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n", name


def test_write_snapshots_writes_updates_and_prunes(tmp_path) -> None:
    written = write_snapshots(tmp_path)
    assert {path.name for path in written} == {path.name for path in SCHEMAS_DIR.glob("*.json")}
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == read_snapshots(SCHEMAS_DIR)

    assert write_snapshots(tmp_path) == []  # idempotent

    target = tmp_path / "LetterRead.v1.json"
    target.write_text("{}\n")
    (tmp_path / "LetterVanished.v1.json").write_text("{}\n")
    (tmp_path / "README.md").write_text("not a snapshot\n")
    changed = {path.name for path in write_snapshots(tmp_path)}
    assert changed == {"LetterRead.v1.json", "LetterVanished.v1.json"}
    assert json.loads(target.read_text()) == current_schemas()["LetterRead"]
    assert not (tmp_path / "LetterVanished.v1.json").exists()
    assert (tmp_path / "README.md").exists()


def test_national_number_schema_is_published_compact() -> None:
    letter = committed()["LetterIssued.v1.json"]
    field = letter["$defs"]["LetterIssuedPayload"]["properties"]["recipient_national_number"]
    number = next(option for option in field["anyOf"] if option.get("type") == "string")
    assert number["pattern"] == "^[0-9]{11}$"
    assert field["deprecated"] is True  # still accepted in this version; `recipient` replaces it
    assert {"event_id", "event_type", "schema_version", "occurred_at"} <= set(letter["required"])


def test_recipient_schema_is_published_compact_for_both_kinds() -> None:
    defs = committed()["LetterIssued.v1.json"]["$defs"]
    recipient = defs["Recipient"]
    assert recipient["properties"]["kind"]["enum"] == ["citizen", "enterprise"]
    assert recipient["properties"]["identifier"]["pattern"] == "^([0-9]{11}|[01][0-9]{9})$"
    assert set(recipient["required"]) == {"kind", "identifier"}
    # Neither recipient field is required on its own: exactly one of the two is (a rule the
    # model checks), so producers still sending the old field validate against the schema.
    assert not {"recipient", "recipient_national_number"} & set(defs["LetterIssuedPayload"]["required"])
