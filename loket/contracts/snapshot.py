"""Committed JSON-schema snapshots of every event (docs/architecture.md, "Events").

A test compares the live schemas with the files under `schemas/`, so changing a contract
shows up in review as a diff of these files: the change has to be deliberate (and additive,
or else a new schema version on a new topic). `loket contracts snapshot` rewrites them.
This is the only module of the package that touches the file system.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from loket.contracts.envelope import Event
from loket.contracts.registry import EVENT_TYPES, event_type_of, schema_version_of

SCHEMAS_DIR = Path(__file__).parent / "schemas"

# Files this module owns in a snapshot directory; anything else there is left alone.
_SNAPSHOT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*\.v[0-9]+\.json$")


def snapshot_name(cls: type[Event]) -> str:
    return f"{event_type_of(cls)}.v{schema_version_of(cls)}.json"


def current_schemas() -> dict[str, dict[str, Any]]:
    """event_type → JSON schema of the event as consumers validate it."""
    # "validation" mode describes what a producer must send (defaults make fields optional),
    # which is what integrators need; it is used everywhere so snapshots stay comparable.
    return {
        event_type: cls.model_json_schema(mode="validation")
        for event_type, cls in sorted(EVENT_TYPES.items())
    }


def render(schema: dict[str, Any]) -> str:
    """Stable text of a schema: sorted keys and a trailing newline keep diffs minimal."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_snapshots() -> dict[str, str]:
    """File name → file content the snapshot directory should hold."""
    schemas = current_schemas()
    return {
        snapshot_name(cls): render(schemas[event_type]) for event_type, cls in EVENT_TYPES.items()
    }


def read_snapshots(directory: Path = SCHEMAS_DIR) -> dict[str, str]:
    """File name → content of the snapshot files present in `directory`."""
    if not directory.is_dir():
        return {}
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(directory.iterdir())
        if _SNAPSHOT_NAME.match(path.name)
    }


def write_snapshots(directory: Path = SCHEMAS_DIR) -> list[Path]:
    """Write one file per event and delete snapshots of events that no longer exist.

    Returns the paths whose content changed (written or deleted), for the CLI to report.
    """
    directory.mkdir(parents=True, exist_ok=True)
    expected = expected_snapshots()
    present = read_snapshots(directory)
    changed: list[Path] = []
    for name, text in sorted(expected.items()):
        if present.get(name) != text:
            path = directory / name
            # Write-then-rename so an interrupted run never leaves a half-written snapshot.
            tmp = path.with_suffix(".json.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            changed.append(path)
    for name in sorted(set(present) - set(expected)):
        (directory / name).unlink()
        changed.append(directory / name)
    return changed
