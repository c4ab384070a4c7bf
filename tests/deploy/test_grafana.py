"""Grafana dashboards are valid JSON for the provisioned data source, and every query names
metrics that the services really export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.deploy.test_prometheus import exported_sample_names

GRAFANA = Path(__file__).parents[2] / "deploy" / "grafana"
# PromQL words that look like metric names but are functions, keywords or label names.
NOT_METRICS = {"by", "without", "le", "rate", "sum", "max", "min", "increase", "histogram_quantile", "on", "ignoring"}


def dashboards() -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(path.read_text()) for path in sorted((GRAFANA / "dashboards").glob("*.json"))]


def test_dashboards_are_provisioned_and_use_the_provisioned_datasource() -> None:
    found = dashboards()
    assert found, "no dashboards"
    datasource = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uid = datasource["datasources"][0]["uid"]
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "loket.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    uids = [d["uid"] for d in found]
    assert len(set(uids)) == len(uids)
    for dashboard in found:
        ids = [p["id"] for p in dashboard["panels"]]
        assert len(set(ids)) == len(ids), dashboard["uid"]
        for panel in dashboard["panels"]:
            assert panel["datasource"]["uid"] == uid
            assert panel["targets"], panel["title"]


def test_every_query_names_exported_metrics() -> None:
    exported = exported_sample_names()
    for dashboard in dashboards():
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                expr = re.sub(r'\{[^}]*\}|"[^"]*"|\[[^\]]*\]', "", target["expr"])  # drop selectors, strings, ranges
                names = {w for w in re.findall(r"\b[a-z_][a-z0-9_]*\b", expr) if w not in NOT_METRICS}
                names -= {label for label in re.findall(r"by \(([^)]*)\)", target["expr"]) for label in label.replace(" ", "").split(",")}
                assert names, (panel["title"], target["expr"])
                assert names <= exported, f"{dashboard['uid']} / {panel['title']}: unknown metrics {names - exported}"


def test_operations_dashboard_covers_what_operators_watch() -> None:
    operations = next(d for d in dashboards() if d["uid"] == "loket-operations")
    text = json.dumps(operations)
    for metric in ("loket_consumer_lag_messages", "loket_dead_lettered_total", "loket_outbox_oldest_age_seconds",
                   "loket_ebox_errors_total", "loket_ebox_circuit_state", "loket_letters_total"):
        assert metric in text
