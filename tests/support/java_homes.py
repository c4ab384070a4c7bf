"""The newest Java installed, for the tests' Keycloak (it needs 21 or newer): Debian's `java` on
PATH is 17 on bookworm, and newer JDKs are often installed beside it under /usr/lib/jvm (this
project's CI machines have a Temurin 25). The brokers do not search: they run on JAVA_HOME's or
PATH's Java (kafka_runtime.java_runtime)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from loket.infra.embedded.java_runtimes import JavaRuntime, major_of, version_major

JVM_ROOT = Path("/usr/lib/jvm")


def release_major(home: Path) -> int | None:
    """21 for a JDK whose `release` file says `JAVA_VERSION="21.0.5"`; None without one."""
    try:
        text = (home / "release").read_text()
    except OSError:
        return None
    found = re.search(r'^JAVA_VERSION="([0-9._]+)', text, re.MULTILINE)
    return major_of(found.group(1)) if found else None


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
