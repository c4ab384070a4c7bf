"""Java and the Kafka jars for the embedded Kafka cluster: found on PATH, resolved by Maven.

The broker is Apache Kafka's own `kafka_2.13` artifact from Maven Central, named (with its
runtime dependencies and a logging binding) by `deploy/kafka/pom.xml`. Maven copies the jars
into `<kafka dir>/lib` once; the copy is reused until the pom changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from loket.infra.embedded.java_runtimes import JavaRuntime, version_major
from loket.infra.embedded.process import EmbeddedServerError

# loket/infra/embedded/kafka_runtime.py -> the checkout's deploy/kafka/pom.xml
DEFAULT_POM = Path(__file__).resolve().parents[3] / "deploy" / "kafka" / "pom.xml"
MIN_JAVA = 17  # Kafka 4.x brokers
RESOLVE_TIMEOUT = 900.0
_MARKER = ".loket-resolved"

Progress = Callable[[str], None]


class KafkaToolMissing(EmbeddedServerError):
    """`java` or `mvn` is not installed (or too old): the cluster cannot be started here."""


def pom_path() -> Path:
    """`LOKET_KAFKA_POM`, else deploy/kafka/pom.xml of the checkout loket runs from."""
    configured = os.environ.get("LOKET_KAFKA_POM")
    return Path(configured) if configured else DEFAULT_POM


def java_runtime() -> JavaRuntime:
    """`java` of JAVA_HOME, else of PATH; Kafka 4.x needs Java 17 or newer. (The newest JDK installed
    instead, Java 25 beside Debian's 17, was measured: the brokers used the same CPU,
    docs/performance.md "Runs 67 to 71".)"""
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    found = str(candidate) if candidate and candidate.is_file() else shutil.which("java")
    if found is None:
        raise KafkaToolMissing(
            "java not found (PATH, JAVA_HOME): the Kafka brokers need a Java 17+ runtime, "
            "e.g. `apt-get install openjdk-17-jre-headless`"
        )
    major = version_major(found)
    if major is not None and major < MIN_JAVA:
        raise KafkaToolMissing(f"{found} is Java {major}: Kafka 4.x brokers need Java {MIN_JAVA} or newer")
    return JavaRuntime(Path(found), major)


def maven_binary() -> str:
    found = shutil.which("mvn")
    if found is None:
        raise KafkaToolMissing(
            "mvn not found on PATH: Maven resolves the Kafka broker's jars the first time "
            "(e.g. `apt-get install maven`); afterwards the jars in <data dir>/kafka/lib are reused"
        )
    return found


def resolve_jars(lib_dir: Path, pom: Path | None = None, progress: Progress | None = None) -> Path:
    """Copy the broker and its runtime dependencies into `lib_dir` (once per pom version).

    Returns `lib_dir`. Maven writes into a sibling folder first, so an interrupted resolution
    never leaves a half-filled `lib` that would later look complete.
    """
    pom = (pom or pom_path()).resolve()
    if not pom.is_file():
        raise EmbeddedServerError(f"no Maven project for the Kafka broker at {pom}")
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    marker = lib_dir / _MARKER
    if marker.is_file() and marker.read_text().strip() == digest:
        return lib_dir
    mvn = maven_binary()
    if progress:
        progress(f"resolving the Kafka broker's jars with Maven ({pom}) into {lib_dir} ...")
    began = time.monotonic()
    staging = lib_dir.with_name(lib_dir.name + ".resolving")
    shutil.rmtree(staging, ignore_errors=True)
    argv = [
        mvn, "-B", "-q", "-f", str(pom),
        "dependency:copy-dependencies", f"-DoutputDirectory={staging}",
    ]
    for attempt in (1, 2):  # once more after a failure: a registry hiccup is not a verdict
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=RESOLVE_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise EmbeddedServerError(
                f"Maven did not resolve the Kafka jars in {RESOLVE_TIMEOUT:.0f} s"
            ) from exc
        jars = list(staging.glob("*.jar")) if staging.is_dir() else []
        resolved = done.returncode == 0 and any(j.name.startswith("kafka_2.13-") for j in jars)
        if resolved or attempt == 2:
            break
        if progress:
            progress(f"Maven failed (exit {done.returncode}); trying once more")
    if not resolved:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        shutil.rmtree(staging, ignore_errors=True)
        raise EmbeddedServerError(
            f"Maven could not resolve the Kafka broker (exit {done.returncode}): "
            f"{' '.join(argv)}\n{tail}"
        )
    (staging / _MARKER).write_text(digest + "\n")
    shutil.rmtree(lib_dir, ignore_errors=True)
    staging.rename(lib_dir)
    if progress:
        progress(f"resolved {len(jars)} jars in {time.monotonic() - began:.1f} s")
    return lib_dir


def classpath(lib_dir: Path) -> str:
    """The JVM expands `<lib>/*` to every jar in the folder itself (no shell involved)."""
    return str(lib_dir / "*")


def kafka_version(lib_dir: Path) -> str | None:
    """The version of the broker jar in `lib_dir` (`4.4.0`), if resolved."""
    for jar in lib_dir.glob("kafka_2.13-*.jar"):
        return jar.name.removeprefix("kafka_2.13-").removesuffix(".jar")
    return None
