"""Load helpers and their shifts from a seed YAML, reporting every problem with its path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from services.booking.points.seed import SeedError, read_seed_list
from services.booking.staff.model import Helper, Shift

DEFAULT_STAFF_SEED = Path(__file__).resolve().parents[3] / "deploy" / "seed" / "helpers.yaml"


def load_staff(path: Path, known_points: set[str]) -> tuple[list[Helper], list[Shift]]:
    helpers, shifts, problems = [], [], []
    for i, item in enumerate(read_seed_list(path, "helpers")):
        where = f"helpers[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        item = dict(item)
        raw_shifts = item.pop("shifts", []) or []
        try:
            helper = Helper.model_validate(item)
        except ValidationError as exc:
            problems += _describe(where, exc)
            continue
        helpers.append(helper)
        for j, spec in enumerate(raw_shifts):
            try:
                shifts += _expand(helper.helper_id, spec, j)
            except ValidationError as exc:
                problems += _describe(f"{where}.shifts[{j}]", exc)
            except (TypeError, KeyError) as exc:
                problems.append(f"{where}.shifts[{j}]: {exc}")
    problems += [f"shift {s.shift_id}: unknown point {s.point_id!r}" for s in shifts if s.point_id not in known_points]
    ids = [h.helper_id for h in helpers]
    problems += [f"helper_id {d!r} appears twice" for d in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise SeedError(f"{path}: {len(problems)} problem(s)\n  " + "\n  ".join(problems))
    return helpers, shifts


def _expand(helper_id: str, spec: dict[str, Any], index: int) -> list[Shift]:
    base = {k: v for k, v in spec.items() if k != "weekdays"}
    if "weekdays" in spec:
        return [Shift.model_validate({**base, "helper_id": helper_id, "weekday": day,
                                      "shift_id": f"{helper_id}-{spec['point_id']}-{day}-{index}"})
                for day in spec["weekdays"]]
    return [Shift.model_validate({**base, "helper_id": helper_id, "shift_id": f"{helper_id}-{spec.get('point_id')}-{index}"})]


def _describe(where: str, exc: ValidationError) -> list[str]:
    return [f"{where}{'.' + '.'.join(map(str, e['loc'])) if e['loc'] else ''}: {e['msg']}" for e in exc.errors()]
