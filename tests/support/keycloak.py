"""A real Keycloak for the OpenID Connect tests: the server distribution from Maven Central
(deploy/keycloak/pom.xml), unpacked once into a cache folder and started in dev mode on a free
loopback port with the test realm (tests/support/keycloak_realm/) imported.

Skips with a visible reason when Maven or a Java 21+ runtime is missing. Java is found in
LOKET_TEST_JAVA_HOME, JAVA_HOME, /usr/lib/jvm or PATH (the newest, 21 or later), since the
default `java` may be older. The unpacked copy lives in LOKET_KEYCLOAK_CACHE or
~/.cache/loket-keycloak (a fresh unpack from Maven's local repository takes seconds).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from loket.infra.embedded.ports import free_port
from tests.support.java_homes import installed_runtimes, newest_runtime

ROOT = Path(__file__).resolve().parents[2]
POM = ROOT / "deploy" / "keycloak" / "pom.xml"
REALM, CLIENT_ID = "mechelen", "loket"
# --import-realm insists on <realm>-realm.json.
REALM_TEMPLATE = Path(__file__).parent / "keycloak_realm" / f"{REALM}-realm.json"
START_TIMEOUT_S = 240.0
# Keycloak's default heap is a quarter of the machine's memory; the tests need far less.
HEAP = "-Xms64m -Xmx512m"
# On Java 24+ JBoss Threads needs this, or Keycloak's first worker thread dies at start-up.
OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED"


@dataclass(frozen=True)
class Keycloak:
    base_url: str
    log: Path
    started_in_s: float

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{REALM}"


def keycloak_version() -> str:
    match = re.search(r"<keycloak\.version>([^<]+)</keycloak\.version>", POM.read_text())
    assert match, f"{POM} names no keycloak.version"
    return match.group(1)


def java_home_21() -> Path | None:
    homes = [Path(p) for p in (os.environ.get("LOKET_TEST_JAVA_HOME"), os.environ.get("JAVA_HOME")) if p]
    newest = newest_runtime(installed_runtimes(homes=homes), 21)
    return newest.home if newest is not None else None


def require_keycloak_tools() -> tuple[str, Path]:
    mvn = shutil.which("mvn")
    if mvn is None:
        pytest.skip("Keycloak tests need Maven (`mvn`) to resolve keycloak-quarkus-dist; .ci/run installs it")
    java_home = java_home_21()
    if java_home is None:
        pytest.skip("Keycloak 26 needs Java 21 or newer: none found in LOKET_TEST_JAVA_HOME, JAVA_HOME "
                    "or /usr/lib/jvm (the default java is older)")
    return mvn, java_home


def unpacked_keycloak(mvn: str, java_home: Path) -> Path:
    cache = Path(os.environ.get("LOKET_KEYCLOAK_CACHE", Path.home() / ".cache" / "loket-keycloak"))
    home = cache / f"keycloak-{keycloak_version()}"
    if not (home / "bin" / "kc.sh").is_file():
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([mvn, "-q", "-B", "-f", str(POM), "dependency:unpack", f"-Dkeycloak.dir={cache}"],
                              capture_output=True, text=True, timeout=600,
                              env={**os.environ, "JAVA_HOME": str(java_home)})
        if done.returncode != 0 or not (home / "bin" / "kc.sh").is_file():
            pytest.fail(f"Maven could not unpack Keycloak {keycloak_version()}:\n{done.stdout[-3000:]}"
                        f"{done.stderr[-3000:]}")
    return home


def write_realm(home: Path, redirect_uri: str, client_secret: str) -> None:
    """The test realm with this run's client secret and redirect URI, where --import-realm reads."""
    realm = REALM_TEMPLATE.read_text().replace("@CLIENT_SECRET@", client_secret)
    realm = realm.replace("@REDIRECT_URI@", redirect_uri)
    target = home / "data" / "import"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    (target / REALM_TEMPLATE.name).write_text(realm)
    os.chmod(target / REALM_TEMPLATE.name, 0o600)  # it holds the client secret


@contextlib.contextmanager
def running_keycloak(log_dir: Path, redirect_uri: str, client_secret: str) -> Iterator[Keycloak]:
    mvn, java_home = require_keycloak_tools()
    home = unpacked_keycloak(mvn, java_home)
    write_realm(home, redirect_uri, client_secret)
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / "keycloak.log"
    env = {**os.environ, "JAVA_HOME": str(java_home), "JAVA_OPTS_KC_HEAP": HEAP, "JAVA_OPTS_APPEND": OPENS,
           "PATH": f"{java_home / 'bin'}:{os.environ.get('PATH', '')}"}
    started = time.monotonic()
    with log.open("wb") as out:
        # dev-mem: the realm lives in memory only, so every start imports this run's realm afresh.
        process = subprocess.Popen(
            [str(home / "bin" / "kc.sh"), "start-dev", "--http-host=127.0.0.1", f"--http-port={port}",
             "--db=dev-mem", "--import-realm"],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, f"{base_url}/realms/{REALM}/.well-known/openid-configuration", log)
        yield Keycloak(base_url, log, time.monotonic() - started)
    finally:
        _stop(process)


def _wait_until_ready(process: subprocess.Popen, url: str, log: Path) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Keycloak exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        with contextlib.suppress(urllib.error.URLError, OSError):
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        time.sleep(0.5)
    pytest.fail(f"Keycloak was not ready within {START_TIMEOUT_S:.0f} s:\n{log.read_text()[-4000:]}")


def _stop(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    # kc.sh may run a build JVM before it execs the server: stop the whole group it started.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
