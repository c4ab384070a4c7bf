"""`python -m loket.simulators.ebox`: serve the simulator with settings from the environment."""

from __future__ import annotations

import uvicorn

from loket.infra.logging_setup import configure_logging
from loket.simulators.ebox.app import create_app
from loket.simulators.ebox.settings import EboxSimSettings

SHUTDOWN_GRACE_S = 2


def main() -> None:
    settings = EboxSimSettings()
    # Through Loket's log setup, not uvicorn's own: the access log quotes URLs such as
    # /admin/citizens/{ssin}/activate, and only Loket's filter masks national numbers.
    configure_logging(service="ebox-sim")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None,
                # A request the fault settings made hang (a server that never answers) must not keep a
                # stopping simulator alive: `loket up` waited 15 s for it, then killed it.
                timeout_graceful_shutdown=SHUTDOWN_GRACE_S)


if __name__ == "__main__":
    main()
