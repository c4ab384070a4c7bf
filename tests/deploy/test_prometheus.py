"""Prometheus configuration and alert rules: valid for promtool, unit-tested with
`promtool test rules`, and naming only metrics the services really export."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry

from loket.infra.metrics import PlatformMetrics
from services.booking.metrics import BookingMetrics
from services.ebox_bridge.metrics import BridgeMetrics
from services.notify.metrics import NotifyMetrics
from services.reporting.gauges import ReportingGauges

PROMETHEUS = Path(__file__).parents[2] / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not installed (Debian package `prometheus`; .ci/run installs it)"
)


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60)


@needs_promtool
def test_config_and_rules_are_valid() -> None:
    for args in (("check", "config", "prometheus.yml"), ("check", "rules", "alerts.yml")):
        result = promtool(*args)
        assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_alert_rules_pass_their_unit_tests() -> None:
    result = promtool("test", "rules", "tests/alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def exported_sample_names() -> set[str]:
    """Every sample name the services' registries can export (counters as _total, histograms
    as _count/_sum/_bucket), plus Prometheus's own `up`."""
    registry = CollectorRegistry()
    PlatformMetrics(registry)
    BridgeMetrics(registry)
    BookingMetrics(registry)
    NotifyMetrics(registry)
    ReportingGauges(registry)
    names = {"up"}
    for family in registry.collect():
        if family.type == "counter":
            names.add(f"{family.name}_total")
        elif family.type == "histogram":
            names |= {f"{family.name}_{suffix}" for suffix in ("count", "sum", "bucket")}
        else:
            names.add(family.name)
    return names


def test_alerts_use_only_exported_metrics_and_cover_the_required_cases() -> None:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    exported = exported_sample_names()
    for rule in rules:
        used = set(re.findall(r"\b(loket_[a-z_]+|up)\b(?=\s*[{\[)=<>!]|\s*$)", rule["expr"]))
        assert used, rule["alert"]
        assert used <= exported, f"{rule['alert']} uses metrics nobody exports: {used - exported}"
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert "docs/operations.md#" in rule["annotations"]["description"]
    names = {rule["alert"] for rule in rules}
    assert {"LoketServiceDown", "LoketDeadLettersGrowing", "LoketConsumerLagHigh", "LoketOutboxStale",
            "LoketEboxErrorRate", "LoketEboxCircuitOpen", "LoketPaperFallbackSpike", "LoketLettersStuck",
            "LoketBookingErrors", "LoketNotificationFailures"} <= names


def test_every_service_is_scraped() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert jobs == {"loket-booking", "loket-notify", "loket-ebox_bridge", "loket-reporting"}
    assert config["rule_files"] == ["alerts.yml"]
