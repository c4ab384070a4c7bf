"""What a reporting page (dashboard, monthly report, public performance) shows for its figures:
each a table, and a chart or, when every count of it is hidden as a small cell, the sentence
saying so (services/reporting/templates/sections.html.j2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.reporting.texts import TEXTS


@dataclass(frozen=True)
class FiguresShown:
    charts: int
    all_hidden: int
    tables: int


async def figures_shown(page: Any, lang: str) -> FiguresShown:
    return FiguresShown(
        charts=await page.locator("figure svg[role=img]").count(),
        all_hidden=await page.get_by_text(TEXTS[lang]["all_hidden"], exact=True).count(),
        tables=await page.locator("table").count(),
    )
