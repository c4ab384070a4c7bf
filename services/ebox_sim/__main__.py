"""`python -m services.ebox_sim`: serve the simulator with settings from the environment."""

from __future__ import annotations

import uvicorn

from services.ebox_sim.app import create_app
from services.ebox_sim.settings import EboxSimSettings


def main() -> None:
    settings = EboxSimSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
