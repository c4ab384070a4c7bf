"""What every embedded server shares: its process, port, and `with` semantics."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Self

from loket.infra.embedded.process import EmbeddedServerError, ServerProcess


class EmbeddedServer:
    """Subclasses set `_process` and implement `start()` (returning the URL), `stop()`, `url`."""

    name: str

    def __init__(self, data_dir: Path, port: int | None, log_name: str) -> None:
        self.data_dir = Path(data_dir).absolute()
        self._requested_port = port
        self._port: int | None = None
        self._process = ServerProcess(self.name, self.data_dir / log_name)

    @property
    def port(self) -> int:
        if self._port is None:
            raise EmbeddedServerError(f"{self.name} has not been started")
        return self._port

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def is_running(self) -> bool:
        return self._process.is_running()

    def start(self) -> str:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def kill(self) -> None:
        """SIGKILL the server's process group; the next start() recovers from the crash."""
        self._process.kill()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # A server we only adopted belongs to whoever started it (e.g. a running `loket up`).
        if not self._process.adopted:
            self.stop()
