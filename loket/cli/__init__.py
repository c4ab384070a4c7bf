"""`loket`: one command line for the whole platform (the console script calls `main`)."""

from __future__ import annotations


def main() -> None:
    # Imported on call: `import loket.cli` alone builds nothing.
    from loket.cli.app import app

    app()
