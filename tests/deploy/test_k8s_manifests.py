"""deploy/k8s: valid Kubernetes objects (schemas of kubernetes-validate, offline), the safety
rules every Deployment must follow, and topics / consumer groups that match the contracts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from services.catalog import SERVICE_NAMES, service_module
from services.contracts import topics

K8S = Path(__file__).parents[2] / "deploy" / "k8s"
BASE = K8S / "base"


def objects(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def base_objects() -> list[dict]:  # type: ignore[type-arg]
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    return [o for name in kustomization["resources"] for o in objects(BASE / name)]


def of_kind(kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [o for o in base_objects() if o["kind"] == kind]


def test_kustomizations_reference_existing_files() -> None:
    for kustomization in K8S.rglob("kustomization.yaml"):
        for resource in yaml.safe_load(kustomization.read_text())["resources"]:
            assert (kustomization.parent / resource).exists(), f"{kustomization}: {resource} is missing"


def test_objects_are_valid_against_the_kubernetes_schemas() -> None:
    files = [str(p) for p in BASE.glob("*.yaml") if p.name != "kustomization.yaml"]
    checker = Path(sys.executable).parent / "kubernetes-validate"
    result = subprocess.run([str(checker), "--strict", "--quiet", *files], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_service_runs_safely_with_probes_and_limits() -> None:
    deployments = {d["spec"]["template"]["spec"]["containers"][0]["command"][-1]: d for d in of_kind("Deployment")}
    assert set(deployments) == set(SERVICE_NAMES)
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["image"].startswith("ghcr.io/loket/loket")
        assert container["command"] == ["loket", "serve", name]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]) and {"cpu", "memory"} <= set(container["resources"]["limits"])
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
        }
        assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"])  # writable scratch on a read-only root
        secret_keys = {e["valueFrom"]["secretKeyRef"]["key"] for e in container["env"] if "valueFrom" in e}
        assert secret_keys == {"database-url", "admin-token"}
    selectors = {s["spec"]["selector"]["app.kubernetes.io/name"] for s in of_kind("Service")}
    names = {d["metadata"]["name"] for d in deployments.values()}
    assert selectors == names
    assert {p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] for p in of_kind("PodDisruptionBudget")} == names
    assert {h["spec"]["scaleTargetRef"]["name"] for h in of_kind("HorizontalPodAutoscaler")} == names


def test_no_secret_values_in_the_manifests() -> None:
    for path in K8S.rglob("*.yaml"):
        for obj in objects(path):
            assert obj.get("kind") != "Secret", f"{path} defines a Secret; reference it instead"


def test_topics_and_consumer_groups_match_the_contracts() -> None:
    (config,) = [c for c in of_kind("ConfigMap") if c["metadata"]["name"] == "kafka-topics"]
    listed = {line.split(":")[0] for line in config["data"]["topics"].split()}
    assert listed == set(topics.ALL_TOPICS) | {topics.dlq_topic(t) for t in topics.ALL_TOPICS}
    (scaled,) = objects(K8S / "overlays" / "production" / "keda-ebox-bridge.yaml")
    trigger = scaled["spec"]["triggers"][0]["metadata"]
    groups = {(s.topic, s.group) for s in service_module("ebox_bridge").service_spec().subscriptions}
    assert (trigger["topic"], trigger["consumerGroup"]) in groups


@pytest.mark.skipif(not (shutil.which("kustomize") or shutil.which("kubectl")), reason="kustomize/kubectl not installed")
def test_overlays_build() -> None:
    tool = [shutil.which("kustomize"), "build"] if shutil.which("kustomize") else [shutil.which("kubectl"), "kustomize"]
    for overlay in ("dev", "production"):
        result = subprocess.run([*tool, str(K8S / "overlays" / overlay)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
