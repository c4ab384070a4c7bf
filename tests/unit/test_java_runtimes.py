"""The Javas on a machine: the tests' Keycloak runs on the newest (21 or later) of JAVA_HOME's,
PATH's and the JDKs under /usr/lib/jvm; the embedded Kafka brokers on JAVA_HOME's, else PATH's."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from loket.infra.embedded import kafka_runtime
from loket.infra.embedded.kafka_runtime import KafkaToolMissing, java_runtime
from tests.support import java_homes
from tests.support.java_homes import installed_runtimes, newest_runtime, runtime_of_home


def _jdk(root: Path, name: str, version: str | None, prints: str | None = None) -> Path:
    """A fake installation: `release` saying `version` (None: no release file), and a `java`
    printing `prints` as `java -version` does (on stderr)."""
    home = root / name
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{prints or version}\"' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    if version is not None:
        (home / "release").write_text(f'IMPLEMENTOR="test"\nJAVA_VERSION="{version}"\n')
    return home


@pytest.fixture
def jvm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "jvm"
    root.mkdir()
    monkeypatch.setattr(java_homes, "JVM_ROOT", root)
    monkeypatch.setattr(java_homes.shutil, "which", lambda name: None)  # no `java` on PATH
    monkeypatch.delenv("JAVA_HOME", raising=False)
    return root


def test_the_newest_java_of_at_least_the_minimum_is_chosen(jvm: Path) -> None:
    for name, version in (("java-17", "17.0.15"), ("temurin-25", "25.0.3"), ("temurin-21", "21.0.5")):
        _jdk(jvm, name, version)
    runtimes = installed_runtimes()
    assert sorted(r.major for r in runtimes) == [17, 21, 25]
    newest = newest_runtime(runtimes, 17)
    assert newest is not None and newest.major == 25 and newest.home == (jvm / "temurin-25").resolve()
    assert newest_runtime(runtimes, 26) is None


def test_without_a_release_file_the_version_comes_from_java_itself(jvm: Path) -> None:
    home = _jdk(jvm, "custom", None, prints="21.0.2")
    runtime = runtime_of_home(home)
    assert runtime is not None and runtime.major == 21
    assert runtime_of_home(_jdk(jvm, "old", None, prints="1.8.0_392")).major == 8  # type: ignore[union-attr]


def test_paths_java_counts_and_one_jdk_under_two_names_is_listed_once(jvm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _jdk(jvm, "java-17-openjdk-amd64", "17.0.15")
    (jvm / "java-1.17.0-openjdk-amd64").symlink_to(home)  # Debian's second name for it
    elsewhere = _jdk(jvm.parent / "opt", "jdk-23", None, prints="23.0.1")
    monkeypatch.setattr(java_homes.shutil, "which", lambda name: str(elsewhere / "bin" / "java"))
    runtimes = installed_runtimes()
    assert sorted(r.major for r in runtimes) == [17, 23]
    assert newest_runtime(runtimes, 17).home == elsewhere.resolve()  # type: ignore[union-attr]


def test_kafka_runs_on_java_homes_java_else_paths_even_with_a_newer_jdk_beside_it(
    jvm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _jdk(jvm, "temurin-25", "25.0.3")  # installed beside it, not chosen
    debian = _jdk(jvm, "java-17", "17.0.15")
    monkeypatch.setattr(kafka_runtime.shutil, "which", lambda name: str(debian / "bin" / "java"))
    runtime = java_runtime()
    assert (runtime.major, runtime.home) == (17, debian.resolve())
    monkeypatch.setenv("JAVA_HOME", str(_jdk(jvm, "temurin-21", "21.0.5")))
    assert java_runtime().major == 21


def test_kafka_refuses_a_java_older_than_17_and_says_so(jvm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _jdk(jvm, "java-11", "11.0.22")
    monkeypatch.setenv("JAVA_HOME", str(old))
    with pytest.raises(KafkaToolMissing, match=r"java-11/bin/java is Java 11: Kafka 4.x brokers need Java 17"):
        java_runtime()
    assert kafka_runtime.MIN_JAVA == 17


def test_kafka_without_any_java_says_where_it_looked(jvm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kafka_runtime.shutil, "which", lambda name: None)
    with pytest.raises(KafkaToolMissing, match=r"java not found \(PATH, JAVA_HOME\)"):
        java_runtime()
