"""Booking's use cases know nothing of HTTP: only the HTTP layer (`http/`), the pages (`page/`),
the `routes.py` and `*_routes.py` modules, the staff workspace's page rendering, device-cookie
reading and posted-form checks, and the composition root (`app.py`, which builds the ASGI app) import Starlette or the
problem types. Read from the source, so a module breaks the rule even if it is
never imported by a test."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOKING = ROOT / "services" / "booking"
HTTP_ONLY = ("starlette", "services.booking.http.problem", "services.booking.http.errors")
# The staff workspace's modules that speak HTTP besides its *_routes.py; its figures, queue view,
# wait estimate and feed stay free of it.
WORKSPACE_WEB = {Path("workspace/rendering.py"), Path("workspace/device_access.py"), Path("workspace/posted_form.py")}


def http_layer(path: Path) -> bool:
    relative = path.relative_to(BOOKING)
    return (relative.parts[0] in ("http", "page") or path.name == "routes.py" or path.name.endswith("_routes.py")
            or relative in WORKSPACE_WEB or relative == Path("app.py"))


def imported_modules(source: str, package: str) -> set[str]:
    """Every module named by an import statement, relative imports resolved against `package`
    and `from pkg import name` counted as `pkg.name` too (it may be a submodule)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def http_only(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in HTTP_ONLY)


def package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts if path.name == "__init__.py" else parts[:-1])


def test_only_the_http_layer_imports_starlette_or_the_problem_types() -> None:
    offenders = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in BOOKING.rglob("*.py") if not http_layer(path)
        for module in imported_modules(path.read_text(), package_of(path)) if http_only(module)
    )
    assert not offenders, "use cases raise services.booking.errors instead: " + "; ".join(offenders)


def test_the_scanner_sees_each_way_of_importing() -> None:
    package = "services.booking.loans"
    for source in ("import starlette.requests", "from starlette.responses import Response",
                   "from services.booking.http.problem import ProblemError",
                   "from services.booking.http import errors", "from ..http.problem import ProblemError",
                   "def late():\n    from starlette.routing import Route"):
        assert any(http_only(m) for m in imported_modules(source, package)), source
    assert not any(http_only(m) for m in imported_modules("from services.booking.errors import Conflict", package))
