"""What a service's OpenAPI document must be: valid OpenAPI 3.1 (the specification's JSON schema,
as schemathesis ships it), every schema in it valid JSON Schema 2020-12, every reference
resolving, and one operation per route the app serves (its HTML pages and the shared shell
aside); and schemathesis, run against it, finds no server error and no answer outside it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from schemathesis.specs.openapi.definitions import OPENAPI_31
from starlette.applications import Starlette
from starlette.routing import Route

from loket.infra.http.openapi_document import OPENAPI_PATH, openapi_path

# Served by every service for people or operators, not in any service's API document: the
# sign-in pages, health, metrics and the documents themselves.
SHELL_PREFIXES = ("/health/", "/metrics", "/docs/", "/signin", "/signout")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


async def served_document(app: Starlette) -> dict[str, Any]:
    """The document the app serves, without starting it (the route's own handler)."""
    route = next(r for r in app.routes if isinstance(r, Route) and r.path == OPENAPI_PATH)
    response = await route.endpoint(None)
    return json.loads(response.body)


def openapi_problems(document: dict[str, Any]) -> list[str]:
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in Draft202012Validator(OPENAPI_31).iter_errors(document)]
    for where, schema in _schemas(document, ""):
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            problems.append(f"{where}: {exc.message}")
    for where, target in _refs(document, ""):
        if not _resolves(document, target):
            problems.append(f"{where}: $ref {target} does not resolve")
    return problems


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


async def checked_document(app: Starlette, pages: Sequence[str]) -> dict[str, Any]:
    """The app's served document, after asserting it is valid OpenAPI 3.1 and names every route
    the app serves but the HTML `pages` (a route served without an entry fails here)."""
    document = await served_document(app)
    assert document["openapi"] == "3.1.0"
    assert openapi_problems(document) == []
    assert documented_operations(document) == served_operations(app, pages)
    return document


def served_operations(app: Starlette, pages: Sequence[str]) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every route but the shell's and the service's HTML `pages`."""
    return {(method, openapi_path(route.path)) for route in app.routes if isinstance(route, Route)
            and not route.path.startswith(SHELL_PREFIXES) and route.path not in pages
            for method in (route.methods or set()) - {"HEAD"}}


async def run_schemathesis(document_url: str, headers: dict[str, str], seed: int, workdir: Path,
                           max_examples: int = 20, checks: str = CHECKS, phases: str = "examples,coverage,fuzzing",
                           request_timeout_s: int = 10, extra: Sequence[str] = ()) -> tuple[int, str]:
    """schemathesis as every API test runs it; (exit code, output). The output is also kept in
    `workdir/schemathesis.txt`. `extra`: more CLI arguments, e.g. `--include-tag`."""
    cli = Path(sys.executable).with_name("schemathesis")
    header_args = [arg for name, value in headers.items() for arg in ("--header", f"{name}: {value}")]
    process = await asyncio.create_subprocess_exec(
        str(cli), "run", document_url, *header_args, *extra,
        # One worker: Python 3.11 intermittently fails parsing source in threads (hypothesis
        # reports "AST constructor recursion depth mismatch"), a tool error, not an API one.
        "--checks", checks, "--max-examples", str(max_examples), "--seed", str(seed), "--workers", "1",
        "--phases", phases, "--request-timeout", str(request_timeout_s),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}, cwd=workdir)
    output, _ = await asyncio.wait_for(process.communicate(), 280)
    text = output.decode(errors="replace")
    (workdir / "schemathesis.txt").write_text(text)
    assert process.returncode is not None
    return process.returncode, text


def operations_tested(output: str) -> int:
    """How many operations schemathesis says it tested (its summary: `Tested: 2`)."""
    found = re.search(r"^\s*Tested:\s+(\d+)\s*$", output, re.MULTILINE)
    return int(found[1]) if found else 0


def operations_in_document(output: str) -> int:
    """How many operations schemathesis found in the document (`Operations: 46 selected / 46 total`)."""
    found = re.search(r"^\s*Operations:\s+\d+ selected / (\d+) total\s*$", output, re.MULTILINE)
    return int(found[1]) if found else 0


def _schemas(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" and isinstance(value, dict | bool):
                yield f"{where}/schema", value
            elif key == "schemas" and where == "/components" and isinstance(value, dict):
                yield from ((f"{where}/schemas/{name}", s) for name, s in value.items())
            else:
                yield from _schemas(value, f"{where}/{_escaped(key)}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _schemas(value, f"{where}/{i}")


def _refs(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from _refs(value, f"{where}/{_escaped(key)}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _refs(value, f"{where}/{i}")


def _escaped(key: str) -> str:
    """A key as a JSON pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def _resolves(document: dict[str, Any], ref: str) -> bool:
    if not ref.startswith("#/"):
        return False  # the documents are self-contained
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True
