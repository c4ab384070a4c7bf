"""Headless Debian Chromium driven by Playwright (never a downloaded browser), for page tests.

Skips with a visible reason when /usr/bin/chromium is missing; `.ci/run` installs it.
Screenshots go to test-artifacts/ at the repository root (ignored by git, kept by CI).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LOKET_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Without the background-networking flags Chromium keeps calling Google, which a closed
# network refuses, and start-up slows down.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def require_chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        pytest.skip(f"Chromium not found at {CHROMIUM} (Debian package `chromium`; .ci/run installs it)")
    return path


@contextlib.asynccontextmanager
async def chromium_page(viewport: dict[str, int] | None = None) -> AsyncIterator:  # type: ignore[type-arg]
    """A fresh page; console errors collected in `page.console_errors`."""
    executable = require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        try:
            page = await browser.new_page(viewport=viewport or {"width": 412, "height": 915})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.console_errors = errors  # type: ignore[attr-defined]
            yield page
        finally:
            await browser.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
