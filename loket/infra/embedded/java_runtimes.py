"""The Javas on a machine and their versions: the embedded Kafka brokers say which one they run
on (kafka_runtime.java_runtime: JAVA_HOME, else PATH), and the tests' Keycloak, which needs 21 or
newer, looks for the newest, since Debian's `java` on PATH is 17 on bookworm and newer JDKs are
often installed beside it under /usr/lib/jvm (this project's CI machines have a Temurin 25).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

JVM_ROOT = Path("/usr/lib/jvm")


@dataclass(frozen=True)
class JavaRuntime:
    java: Path  # the `java` binary
    major: int | None  # 17, 21, 25, …; None when it did not say

    @property
    def home(self) -> Path:
        """The installation's folder (JAVA_HOME for it): the parent of its `bin`."""
        return self.java.resolve().parent.parent

    @property
    def name(self) -> str:
        return f"Java {self.major}" if self.major else "Java (version unknown)"

    def describe(self) -> str:
        return f"{self.name} ({self.home})"


def release_major(home: Path) -> int | None:
    """21 for a JDK whose `release` file says `JAVA_VERSION="21.0.5"`; None without one."""
    try:
        text = (home / "release").read_text()
    except OSError:
        return None
    return _major(re.search(r'^JAVA_VERSION="(\d+)(?:\.(\d+))?', text, re.MULTILINE))


def version_major(java: str | Path) -> int | None:
    """17 for a `java` printing `openjdk version "17.0.15"`, 8 for `"1.8.0_392"`; None when it
    cannot be run or read. (Runs the JVM once: a few hundred milliseconds.)"""
    try:
        done = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return _major(re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout))


def _major(version: re.Match[str] | None) -> int | None:
    """The major version of a matched `17.0.15` (17) or `1.8.0_392` (8: Java before 9 counted 1.x)."""
    if version is None:
        return None
    major = int(version.group(1))
    return int(version.group(2) or 0) if major == 1 else major


def runtime_of_home(home: Path) -> JavaRuntime | None:
    """The JDK or JRE installed in `home`, if it has a `java` and says its version."""
    java = home / "bin" / "java"
    if not java.is_file():
        return None
    major = release_major(home) or version_major(java)
    return JavaRuntime(java, major) if major is not None else None


def installed_runtimes(homes: Iterable[Path] = (), root: Path | None = None) -> list[JavaRuntime]:
    """The Javas in `homes`, under `root` (default JVM_ROOT) and PATH's `java`, in that order;
    each binary once (Debian lists one JDK under several names)."""
    root = JVM_ROOT if root is None else root
    found: dict[Path, JavaRuntime] = {}
    candidates = [*homes, *(sorted(root.iterdir()) if root.is_dir() else ())]
    for home in candidates:
        runtime = runtime_of_home(home)
        if runtime is not None:
            found.setdefault(runtime.java.resolve(), runtime)
    on_path = shutil.which("java")
    if on_path is not None and Path(on_path).resolve() not in found:
        major = version_major(on_path)
        if major is not None:
            found[Path(on_path).resolve()] = JavaRuntime(Path(on_path).resolve(), major)
    return list(found.values())


def newest_runtime(runtimes: Iterable[JavaRuntime], min_major: int) -> JavaRuntime | None:
    """The highest version of at least `min_major`; the first listed among equals."""
    best: JavaRuntime | None = None
    for runtime in runtimes:
        if runtime.major is None or runtime.major < min_major:
            continue
        if best is None or runtime.major > (best.major or 0):
            best = runtime
    return best
