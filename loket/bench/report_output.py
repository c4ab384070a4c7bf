"""Where a benchmark's report goes: `<out>/<name>.json` always, and stdout as JSON (`--json`,
nothing else on stdout) or a rich table."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console


def emit(report: dict[str, Any], out: Path, name: str, as_json: bool, table: Callable[[], None],
         console: Console) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    text = json.dumps(report, indent=2, default=str)
    path.write_text(text + "\n")
    if as_json:
        print(text)
    else:
        table()
        console.print(f"written {path}")
    return path
