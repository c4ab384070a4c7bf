"""`python -m loket.simulators.ebox`: serve the simulator with settings from the environment."""

from __future__ import annotations

import uvicorn

from loket.simulators.ebox.app import create_app
from loket.simulators.ebox.settings import EboxSimSettings


def main() -> None:
    settings = EboxSimSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
