"""Parse and validate a rollout policy YAML, reporting every problem with its path.

An operator fixing a policy file should see all of its mistakes at once, each with the dotted
path of the key, rather than one pydantic trace per attempt.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from loket.contracts.reference.language_regime import allowed_languages, municipality_name
from services.ebox_bridge.policy.errors import PolicyError, UnknownMunicipality
from services.ebox_bridge.policy.model import CHANNELS, POSTAGE_CHOICES, PolicyDocument


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys: a municipality listed twice would lose a half."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:  # type: ignore[type-arg]
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def parse_policy_yaml(text: str, source: str) -> PolicyDocument:
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PolicyError(f"{source}: not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    return policy_from_data(raw, source)


def policy_from_data(raw: Any, source: str) -> PolicyDocument:
    """Validate already-parsed data (a YAML file, or a version stored in the database)."""
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: expected a mapping with 'defaults' and 'municipalities'")
    problems: list[str] = []
    municipalities = raw.get("municipalities")
    if isinstance(municipalities, dict):
        raw = {**raw, "municipalities": _normalised_codes(municipalities, problems)}
    try:
        document: PolicyDocument | None = PolicyDocument.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_describe(error) for error in exc.errors())
        document = None
    if document is not None:
        problems.extend(_language_problems(document))
    if problems or document is None:
        raise PolicyError(f"{source}: {len(problems)} problem(s)\n  " + "\n  ".join(problems))
    return document


def _normalised_codes(municipalities: dict[Any, Any], problems: list[str]) -> dict[str, Any]:
    # YAML reads an unquoted 12025 as an int; REFNIS codes are strings of five digits (never a
    # leading zero), so str() of the int is the same code.
    out: dict[str, Any] = {}
    for key, value in municipalities.items():
        code = str(key)
        if code in out:
            problems.append(f"municipalities.{code}: listed twice (quoted and unquoted)")
            continue
        out[code] = value
        try:
            municipality_name(code)
        except UnknownMunicipality as exc:
            hint = "" if code.isdigit() and len(code) == 5 else '; keys are quoted 5-digit REFNIS codes like "12025"'
            problems.append(f"municipalities.{code}: {exc}{hint}")
    return out


def _language_problems(document: PolicyDocument) -> list[str]:
    # The override may narrow the legal regime (a town writing only Dutch) but never widen it.
    problems = []
    for code, town in document.municipalities.items():
        if town.languages is None:
            continue
        legal = allowed_languages(code)
        extra = sorted(set(town.languages) - legal)
        if extra:
            problems.append(
                f"municipalities.{code}.languages: {', '.join(extra)} not allowed by the language regime "
                f"of {municipality_name(code)} ({', '.join(sorted(legal))})"
            )
    return problems


def _describe(error: Any) -> str:
    path = ".".join(str(p) for p in error["loc"]) or "(document)"
    kind, got = error["type"], error.get("input")
    field = str(error["loc"][-1]) if error["loc"] else ""
    if kind == "literal_error" and field == "channel":
        return f"{path}: must be one of {', '.join(CHANNELS)} (got {got!r})"
    if kind == "literal_error" and field == "postage_class":
        return f"{path}: must be one of {', '.join(POSTAGE_CHOICES)} (got {got!r}); registered mail: registered: true"
    if kind == "extra_forbidden":
        return f"{path}: unknown key (got {got!r})" if not isinstance(got, dict | list) else f"{path}: unknown key"
    if kind == "missing":
        return f"{path}: required"
    if field == "[key]":
        where = ".".join(str(p) for p in error["loc"][:-1])
        return f"{where}: names must be lower-case slugs like 'tax_assessment' (got {got!r})"
    message = str(error["msg"]).removeprefix("Value error, ")
    if isinstance(got, str | int | float | bool) and kind != "value_error":
        return f"{path}: {message} (got {got!r})"
    return f"{path}: {message}"
