"""Load assistance points from a seed YAML, reporting every problem with its path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from services.booking.points.model import AssistancePoint

DEFAULT_SEED = Path(__file__).resolve().parents[3] / "deploy" / "seed" / "points.yaml"


class SeedError(ValueError):
    pass


def read_seed_list(path: Path, key: str) -> list[Any]:
    """The list under `key` in a seed YAML file, or a SeedError saying what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise SeedError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get(key), list):
        raise SeedError(f"{path}: expected a mapping with a '{key}' list")
    return raw[key]


def load_points(path: Path) -> list[AssistancePoint]:
    points, problems = [], []
    for i, item in enumerate(read_seed_list(path, "points")):
        try:
            points.append(AssistancePoint.model_validate(item))
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                problems.append(f"points[{i}]{'.' + where if where else ''}: {error['msg']}")
    ids = [p.point_id for p in points]
    problems += [f"point_id {d!r} appears twice" for d in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise SeedError(f"{path}: {len(problems)} problem(s)\n  " + "\n  ".join(problems))
    return points
