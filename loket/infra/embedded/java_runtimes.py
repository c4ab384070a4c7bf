"""A Java installation and its version: the embedded Kafka brokers say which one they run on
(kafka_runtime.java_runtime: JAVA_HOME, else PATH). The tests' search for the newest Java, which
their Keycloak needs, is tests/support/java_homes.py, built on the same parser."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path


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


def version_major(java: str | Path) -> int | None:
    """17 for a `java` printing `openjdk version "17.0.15"`, 8 for `"1.8.0_392"`; None when it
    cannot be run or read. (Runs the JVM once: a few hundred milliseconds.)"""
    try:
        done = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "([0-9._]+)', done.stderr + done.stdout)
    return major_of(found.group(1)) if found else None


def major_of(version: str) -> int | None:
    """17 for `17.0.15`, 8 for `1.8.0_392` (Java before 9 counted 1.x); None for anything else."""
    match = re.match(r"(\d+)(?:\.(\d+))?", version)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major
