"""The project's lint rules (pyproject.toml, `[tool.ruff]`) hold everywhere, tests included: a
blocking `subprocess.run` inside an async test stalls the event loop the services under test run
on, and such findings used to pile up where nothing checked them."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_finds_nothing_in_the_repository() -> None:
    try:
        import ruff  # noqa: F401  (a dev dependency; the check needs its binary)
    except ImportError:
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    found = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stdout[-4000:] + found.stderr[-2000:]
