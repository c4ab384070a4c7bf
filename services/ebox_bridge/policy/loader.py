"""Parse and validate a rollout policy YAML, reporting every problem with its path."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from services.ebox_bridge.policy.errors import PolicyError, UnknownMunicipality
from services.ebox_bridge.policy.language_regime import municipality_name
from services.ebox_bridge.policy.model import PolicyDocument


def parse_policy_yaml(text: str, source: str) -> PolicyDocument:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PolicyError(f"{source}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    return policy_from_data(raw, source)


def policy_from_data(raw: Any, source: str) -> PolicyDocument:
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: expected a mapping with 'defaults' and 'municipalities'")
    problems: list[str] = []
    municipalities = raw.get("municipalities")
    if isinstance(municipalities, dict):
        # YAML reads an unquoted 12025 as an int; REFNIS codes are strings of five digits.
        raw = {**raw, "municipalities": {str(k): v for k, v in municipalities.items()}}
        for code in raw["municipalities"]:
            try:
                municipality_name(code)
            except UnknownMunicipality as exc:
                problems.append(f"municipalities.{code}: {exc}")
    try:
        document = PolicyDocument.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            path = ".".join(str(p) for p in error["loc"])
            got = f" (got {error['input']!r})" if error["type"] in ("literal_error", "int_parsing", "bool_parsing") else ""
            problems.append(f"{path}: {error['msg']}{got}")
        document = None
    if problems or document is None:
        raise PolicyError(f"{source}: {len(problems)} problem(s)\n  " + "\n  ".join(problems))
    return document
