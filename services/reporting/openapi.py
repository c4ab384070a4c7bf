"""reporting's OpenAPI 3.1 document (served at `/docs/openapi.json`): the KPIs as JSON and the
CSV exports. reporting's handlers are plain Starlette routes, so they are described here, once;
`tests/integration/test_reporting_openapi.py` fails when a route is served without an entry here
(or in PAGES), and schemathesis checks the answers against it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, WithJsonSchema

from loket.infra.http.openapi_document import Answer, Operation, bearer_scheme, openapi_document
from services.reporting.kpis import BY_NAME, PERIODS
from services.reporting.report_pages import MONTHLY, PERFORMANCE
from services.reporting.routes import DASHBOARD
from services.reporting.scope import FIGURE_ROLES

TITLE = "Loket reporting API"
# HTML pages for people (and the shared sign-in pages): left out of the document.
PAGES = (DASHBOARD, MONTHLY, PERFORMANCE)
KPI_NAMES = list(BY_NAME)
KpiName = Annotated[str, WithJsonSchema({"type": "string", "enum": KPI_NAMES})]
Cell = str | int | float | bool | None


def _no_null_default(schema: dict[str, Any]) -> None:
    # A query parameter is absent or a string: no `"default": null` beside `"type": "string"`.
    for prop in schema.get("properties", {}).values():
        if prop.get("default", "") is None:
            del prop["default"]


class FiguresQuery(BaseModel):
    model_config = ConfigDict(json_schema_extra=_no_null_default)

    period: str = Field(default="month", json_schema_extra={"enum": list(PERIODS)},
                        description="The periods the figures are counted by (Europe/Brussels)")
    municipality: Annotated[str | None, WithJsonSchema({
        "type": "string", "pattern": "^([0-9]{5})?$",
        "description": "Only this municipality's figures (REFNIS code, e.g. 12025); absent or empty: the "
                       "principal's own, for the operator all"})] = None


class KpiQuery(FiguresQuery):
    name: list[KpiName] = Field(default_factory=list, description="The KPIs to compute (repeat the parameter); "
                                                                  "default all")


class KpiTable(BaseModel):
    columns: list[str] = Field(description="Machine names of the columns: the dimensions, then the figures")
    rows: list[list[Cell]] = Field(description="One row per period and dimension, exact figures")


class KpiFigures(RootModel[dict[str, KpiTable]]):
    """The KPIs asked for, by name."""


_FIGURE_ERRORS = {400: "Unknown period, or a municipality that is not a 5-digit REFNIS code",
                  401: "Missing or invalid token", 403: "Role not allowed",
                  404: "Unknown KPI, or a municipality outside the principal's (no figures)"}
_ROLES = f"Roles: {', '.join(sorted(FIGURE_ROLES))} (their municipality's figures) and the operator (any)."

OPERATIONS = (
    Operation(
        "GET", "/kpis", "kpis", "Digital-inclusion KPIs as JSON (exact figures)", "figures", query=KpiQuery,
        description=f"{_ROLES} The keys are machine codes that do not change with a reader's language.",
        answers=(Answer(200, "The KPIs by name", KpiFigures),), errors=_FIGURE_ERRORS),
    Operation(
        "GET", "/exports/{name}.csv", "export_csv", "One KPI as CSV (small cells suppressed)", "figures",
        query=FiguresQuery, path_schemas={"name": {"type": "string", "enum": KPI_NAMES}},
        description=f"{_ROLES} Counts below the small-cell threshold are written `<5`; cells hidden so that "
                    "one cannot be recomputed by subtraction are `x`. Spreadsheet-safe: no cell starts a "
                    "formula.",
        answers=(Answer(200, "The KPI's columns, then its rows", media_type="text/csv",
                        schema={"type": "string"},
                        headers=(("Content-Disposition", "attachment; filename=\"<name>.csv\""),)),),
        errors=_FIGURE_ERRORS),
)


def reporting_openapi() -> dict[str, Any]:
    return openapi_document(
        TITLE,
        "Digital-inclusion KPIs by municipality and day, week or month, as JSON for back-office programs and "
        "as CSV for spreadsheets. Errors are RFC 9457 problem details. Not described here: the HTML pages "
        f"for people ({DASHBOARD}, {MONTHLY}, {PERFORMANCE}, the sign-in pages), /health/*, /metrics, "
        "/docs/asyncapi (the events reporting consumes) and this document.",
        OPERATIONS,
        {"bearer": bearer_scheme("A configured token or an API key (`loket keys create`) of an analyst, "
                                 "municipality administrator, point manager or the operator")},
    )
