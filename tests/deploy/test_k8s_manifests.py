"""deploy/k8s: every YAML document parses, the Kustomize tree is complete, every Deployment follows
the safety rules (probes, limits, non-root read-only pods), Secrets are only referenced, and the
topics / consumer groups are the ones of the contracts package."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from loket.contracts import topics
from loket.devstack.catalog import SERVICE_NAMES, service_module, service_settings

K8S = Path(__file__).parents[2] / "deploy" / "k8s"
BASE = K8S / "base"
PORTS = {"booking": 8101, "notify": 8102, "ebox_bridge": 8103, "reporting": 8104}
EBOX_SECRETS = "/var/run/secrets/ebox"
# Variables some code reads with os.environ rather than through a settings class.
READ_DIRECTLY = (Path(__file__).parents[2] / "loket" / "infra" / "http" / "auth.py").read_text()
KUBECTL, KUSTOMIZE = shutil.which("kubectl"), shutil.which("kustomize")

Obj = dict[str, Any]


def documents(path: Path) -> list[Obj]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


ALL = {path: documents(path) for path in sorted(K8S.rglob("*.yaml"))}
OBJECTS = [o for path, docs in ALL.items() if path.name != "kustomization.yaml" for o in docs]
BASE_OBJECTS = [o for path, docs in ALL.items() if path.parent == BASE for o in docs]


def of_kind(kind: str, objects: list[Obj] = BASE_OBJECTS) -> list[Obj]:
    return [o for o in objects if o["kind"] == kind]


def named(kind: str, name: str) -> Obj:
    (obj,) = [o for o in of_kind(kind) if o["metadata"]["name"] == name]
    return obj


def http_only(deployment: Obj) -> bool:
    env = deployment["spec"]["template"]["spec"]["containers"][0].get("env", [])
    return any(e["name"] == "LOKET_HTTP_ONLY" and e.get("value") == "true" for e in env)


def deployments(objects: list[Obj] = BASE_OBJECTS, http: bool = False) -> dict[str, Obj]:
    """The working Deployments (or, `http`, the HTTP-only replicas) by the service their command starts."""
    chosen = [d for d in of_kind("Deployment", objects) if http_only(d) == http]
    by_service = {d["spec"]["template"]["spec"]["containers"][0]["command"][2]: d for d in chosen}
    assert len(by_service) == len(chosen), "two Deployments start the same service"
    return by_service


def test_every_document_is_a_kubernetes_object_and_kustomizations_are_complete() -> None:
    assert len(ALL) >= 10
    for path, docs in ALL.items():
        assert docs, f"{path} is empty"
        for doc in docs:
            assert {"apiVersion", "kind"} <= set(doc), f"{path}: a document without apiVersion/kind"
    kustomizations = [p for p in ALL if p.name == "kustomization.yaml"]
    assert {p.parent.relative_to(K8S).as_posix() for p in kustomizations} == {
        "base", "overlays/dev", "overlays/production"}
    for path in kustomizations:
        (kustomization,) = ALL[path]
        for resource in kustomization["resources"]:
            assert (path.parent / resource).exists(), f"{path}: resource {resource} is missing"
    (base,) = ALL[BASE / "kustomization.yaml"]
    assert set(base["resources"]) == {p.name for p in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    assert base["namespace"] == "loket" and named("Namespace", "loket")


def test_base_objects_are_valid_against_the_kubernetes_schemas() -> None:
    checker = Path(sys.executable).parent / "kubernetes-validate"
    if not checker.exists():
        pytest.skip("kubernetes-validate is not installed in this environment")
    files = [str(p) for p in BASE.glob("*.yaml") if p.name != "kustomization.yaml"]
    result = subprocess.run([str(checker), "--strict", "--quiet", *files], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def env_names(pod: Obj, container: Obj) -> dict[str, Any]:
    """Every variable the container gets: its own `env` plus the keys of its envFrom ConfigMaps."""
    names: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        names |= named("ConfigMap", source["configMapRef"]["name"])["data"]
    return names | {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_deployment_runs_the_service_safely_with_probes_and_limits(service: str) -> None:
    deployment = deployments()[service]
    assert deployment["metadata"]["name"] == service.replace("_", "-")
    template = deployment["spec"]["template"]
    pod = template["spec"]
    (container,) = pod["containers"]
    assert container["image"].split(":")[0] == "ghcr.io/loket/loket"
    assert container["command"] == ["loket", "serve", service]
    assert container["ports"] == [{"name": "http", "containerPort": PORTS[service]}]
    assert template["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true", "prometheus.io/port": str(PORTS[service]), "prometheus.io/path": "/metrics"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    for bound in ("requests", "limits"):
        assert set(container["resources"][bound]) == {"cpu", "memory"}, f"{service}: {bound}"
    assert deployment["spec"]["selector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
    security = pod["securityContext"]
    assert (security["runAsNonRoot"], security["runAsUser"], security["seccompProfile"]) == (
        True, 10001, {"type": "RuntimeDefault"})
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
    assert "emptyDir" in mounts["/tmp"], "a read-only root needs a writable /tmp"

    env = env_names(pod, container)
    assert env["LOKET_PORT"] == str(PORTS[service])
    assert env["LOKET_HOST"] == "0.0.0.0"
    assert env["LOKET_BUS_URL"] == "kafka://kafka:9092"
    assert env["LOKET_DATABASE_URL"] == {"secretKeyRef": {"name": "loket-secrets", "key": "database-url"}}
    assert env["LOKET_ADMIN_TOKEN"] == {"secretKeyRef": {"name": "loket-secrets", "key": "admin-token"}}
    fields = {f"LOKET_{field.upper()}" for field in type(service_settings(service)).model_fields}
    unknown = {name for name in set(env) - fields if f'"{name}"' not in READ_DIRECTLY}
    assert not unknown, f"{service} reads no such setting: {sorted(unknown)}"


def test_ebox_bridge_gets_its_url_key_certificate_and_print_spool() -> None:
    pod = deployments()["ebox_bridge"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = env_names(pod, container)
    assert env["LOKET_EBOX_URL"].startswith("https://")  # from a ConfigMap, not a literal `env`
    assert "LOKET_EBOX_URL" not in {e["name"] for e in container["env"]}
    assert env["LOKET_EBOX_PRIVATE_KEY_FILE"] == f"{EBOX_SECRETS}/client.key"
    assert env["LOKET_EBOX_CERTIFICATE_FILE"] == f"{EBOX_SECRETS}/client.crt"
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts[EBOX_SECRETS]["readOnly"] is True
    assert volumes[mounts[EBOX_SECRETS]["name"]]["secret"]["secretName"] == "loket-ebox-client"
    spool = volumes[mounts[env["LOKET_PRINT_SPOOL_DIR"]]["name"]]
    assert spool["persistentVolumeClaim"]["claimName"] == "print-spool"
    assert named("PersistentVolumeClaim", "print-spool")["spec"]["resources"]["requests"]["storage"]


def test_the_ebox_bridge_api_replicas_are_the_worker_pod_serving_http_only() -> None:
    worker, api = deployments()["ebox_bridge"], deployments(http=True)["ebox_bridge"]
    assert set(deployments(http=True)) == {"ebox_bridge"}
    assert api["metadata"]["name"] == "ebox-bridge-api"
    worker_pod, api_pod = worker["spec"]["template"]["spec"], api["spec"]["template"]["spec"]
    (worker_container,), (api_container,) = worker_pod["containers"], api_pod["containers"]
    # The same process, settings and volumes (uploads land in the document root), one switch apart.
    assert {k: v for k, v in api_pod.items() if k != "containers"} == {
        k: v for k, v in worker_pod.items() if k != "containers"}
    assert [e for e in api_container["env"] if e["name"] != "LOKET_HTTP_ONLY"] == worker_container["env"]
    same = ("image", "command", "ports", "envFrom", "volumeMounts", "securityContext", "livenessProbe",
            "readinessProbe", "resources")
    assert {k: api_container[k] for k in same} == {k: worker_container[k] for k in same}
    # People and back-offices reach the HTTP replicas only: the Service and the ingress rule.
    selector = named("Service", "ebox-bridge")["spec"]["selector"]
    assert selector.items() <= api["spec"]["template"]["metadata"]["labels"].items()
    assert not selector.items() <= worker["spec"]["template"]["metadata"]["labels"].items()
    allowed = {(frozenset(p["spec"]["podSelector"].get("matchLabels", {}).items()),
                src["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"])
               for p in of_kind("NetworkPolicy") for rule in p["spec"].get("ingress", []) for src in rule["from"]}
    assert (frozenset(api["spec"]["selector"]["matchLabels"].items()), "ingress-nginx") in allowed


def test_services_pdbs_and_hpas_cover_every_deployment() -> None:
    by_name = {d["metadata"]["name"]: d for d in of_kind("Deployment")}
    assert len(by_name) == len(SERVICE_NAMES) + len(deployments(http=True))
    targeted = []
    for service in of_kind("Service"):
        selector = service["spec"]["selector"].items()
        (deployment,) = [d for d in by_name.values() if selector <= d["spec"]["template"]["metadata"]["labels"].items()]
        targeted.append(deployment["metadata"]["name"])
        port_names = {p["name"] for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= port_names
    # A service with HTTP-only replicas gets its traffic there; its workers serve probes and metrics.
    workers_behind_replicas = {deployments()[name]["metadata"]["name"] for name in deployments(http=True)}
    assert sorted(targeted) == sorted(set(by_name) - workers_behind_replicas)
    pdbs = Counter(
        d for p in of_kind("PodDisruptionBudget") for d, obj in by_name.items()
        if p["spec"]["selector"]["matchLabels"] == obj["spec"]["selector"]["matchLabels"])
    assert pdbs == Counter(list(by_name))
    hpas = of_kind("HorizontalPodAutoscaler")
    assert Counter(h["spec"]["scaleTargetRef"]["name"] for h in hpas) == Counter(list(by_name))
    for hpa in hpas:
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


def test_secrets_are_referenced_never_defined_with_values() -> None:
    for obj in OBJECTS:
        if obj["kind"] == "Secret":
            assert not ({"data", "stringData"} & set(obj)), f"Secret {obj['metadata']['name']} carries values"
    referenced = set()
    for deployment in of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        for e in pod["containers"][0].get("env", []):
            if "secretKeyRef" in e.get("valueFrom", {}):
                referenced.add((e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"]))
        for volume in pod["volumes"]:
            if "secret" in volume:
                referenced |= {(volume["secret"]["secretName"], k) for k in ("client.key", "client.crt")}
    assert referenced == {("loket-secrets", "database-url"), ("loket-secrets", "admin-token"),
                          ("loket-secrets", "reporting-pseudonym-secret"), ("loket-secrets", "sms-api-key"),
                          ("loket-secrets", "sms-receipts-token"), ("loket-secrets", "contact-key-secret"),
                          ("loket-ebox-client", "client.key"), ("loket-ebox-client", "client.crt")}
    documentation = (BASE / "config.yaml").read_text()
    for name, key in referenced:  # the operator must learn from the comment what to create
        assert name in documentation and key in documentation


def test_network_policies_deny_ingress_but_allow_prometheus_and_booking_http() -> None:
    policies = {p["metadata"]["name"]: p["spec"] for p in of_kind("NetworkPolicy")}
    deny = [s for s in policies.values() if s["podSelector"] == {} and "ingress" not in s]
    assert deny and deny[0]["policyTypes"] == ["Ingress"]
    rules = {name: s for name, s in policies.items() if s.get("ingress")}
    namespaces = {
        (frozenset(s["podSelector"].get("matchLabels", {}).items()),
         src["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"])
        for s in rules.values() for rule in s["ingress"] for src in rule["from"]}
    assert (frozenset({("app.kubernetes.io/part-of", "loket")}), "monitoring") in namespaces
    assert (frozenset({("app.kubernetes.io/name", "booking")}), "ingress-nginx") in namespaces
    for spec in rules.values():
        assert all(port["port"] == "http" for rule in spec["ingress"] for port in rule["ports"])


def partitions() -> dict[str, int]:
    lines = named("ConfigMap", "kafka-topics")["data"]["topics"].split()
    counts = dict(line.split(":") for line in lines)
    assert len(counts) == len(lines), "a topic is listed twice"
    return {topic: int(count) for topic, count in counts.items()}


def test_topics_configmap_and_job_match_the_contracts() -> None:
    listed = partitions()
    assert set(listed) == set(topics.ALL_TOPICS) | {topics.dlq_topic(t) for t in topics.ALL_TOPICS}
    assert all(count >= 1 for count in listed.values())
    subscribed = {s.topic for n in SERVICE_NAMES for s in service_module(n).service_spec().subscriptions}
    assert subscribed and subscribed <= set(listed)
    (job,) = of_kind("Job")
    pod = job["spec"]["template"]["spec"]
    assert {v["configMap"]["name"] for v in pod["volumes"] if "configMap" in v} == {"kafka-topics"}
    script = " ".join(pod["containers"][0]["command"])
    assert "kafka-topics.sh" in script and "--create --if-not-exists" in script


def test_keda_scales_ebox_bridge_on_the_lag_of_a_real_subscription() -> None:
    (scaled,) = of_kind("ScaledObject", OBJECTS)
    assert scaled["spec"]["scaleTargetRef"]["name"] == deployments()["ebox_bridge"]["metadata"]["name"]
    (trigger,) = scaled["spec"]["triggers"]
    meta = trigger["metadata"]
    subscriptions = {(s.topic, s.group) for s in service_module("ebox_bridge").service_spec().subscriptions}
    assert (meta["topic"], meta["consumerGroup"]) in subscriptions
    assert (trigger["type"], meta["topic"], meta["consumerGroup"]) == ("kafka", "letters.issued.v1", "ebox_bridge.intake")
    assert scaled["spec"]["maxReplicaCount"] <= partitions()[meta["topic"]], "replicas beyond partitions idle"


def build(overlay: str) -> list[Obj]:
    tool = [KUSTOMIZE, "build"] if KUSTOMIZE else [KUBECTL, "kustomize"]
    result = subprocess.run([*tool, str(K8S / "overlays" / overlay)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


@pytest.mark.skipif(not (KUSTOMIZE or KUBECTL), reason="neither kustomize nor kubectl is on PATH: overlays not built")
@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_overlay_builds(overlay: str) -> None:
    objects = build(overlay)
    built = of_kind("Deployment", objects)
    assert len(built) == len(SERVICE_NAMES) + len(deployments(http=True))
    assert all(o["metadata"]["namespace"] == "loket" for o in objects if o["kind"] != "Namespace")
    hpa_targets = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind("HorizontalPodAutoscaler", objects)}
    if overlay == "production":
        assert {d["spec"]["template"]["spec"]["containers"][0]["image"] for d in built} == {"ghcr.io/loket/loket:1.0.0"}
        assert len(of_kind("ScaledObject", objects)) == 1
        # KEDA, not a CPU HPA, scales the ebox-bridge workers (on lag); its HTTP replicas scale on CPU.
        assert hpa_targets == {"booking", "notify", "reporting", "ebox-bridge-api"}
    else:
        assert {d["spec"]["replicas"] for d in built} == {1}
        assert hpa_targets == {d["metadata"]["name"] for d in built}
