"""Offline checks of the Kubernetes manifests in k8s/: every object against the Kubernetes API
schema (kubernetes-validate, strict: an unknown or misspelt field fails), then what the schema
cannot know — names that refer to each other exist, every server has probes on its real health
endpoint and sized resources, Rasa's ConfigMap says what endpoints.yml and credentials.yml say.

    python -m bot prod manifests      (run by `make test-prod`)
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

from bot import settings

K8S = Path(__file__).resolve().parent / "k8s"
KUBERNETES_VERSION = "1.28.0"  # the newest schema kubernetes-validate 1.28 ships
HEALTH = {"rasa": "/", "actions": "/health", "portal": "/health"}  # what each server answers


def documents() -> list[tuple[str, dict]]:
    """(file name, object) for every object, in apply order."""
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                found.append((path.name, doc))
    return found


def schema_problems(docs: list[tuple[str, dict]]) -> list[str]:
    import kubernetes_validate
    problems = []
    for name, doc in docs:
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as err:
            where = "/".join(str(p) for p in err.path)
            problems.append(f"{name}: {doc.get('kind')} {doc['metadata'].get('name')}: "
                            f"{where}: {err.message}")
        except (kubernetes_validate.SchemaNotFoundError,
                kubernetes_validate.InvalidSchemaError) as err:
            problems.append(f"{name}: {err}")
    return problems


def _containers(doc: dict) -> list[dict]:
    return doc["spec"]["template"]["spec"]["containers"]


def project_problems(docs: list[tuple[str, dict]]) -> list[str]:
    problems = []
    by_kind: dict[str, dict[str, dict]] = {}
    for _, doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
        if doc["kind"] != "Namespace" and doc["metadata"].get("namespace") != "ganzhou-ip":
            problems.append(f"{doc['kind']} {doc['metadata']['name']}: not in ganzhou-ip")
    workloads = {**by_kind.get("Deployment", {}), **by_kind.get("Job", {})}
    for name, doc in workloads.items():
        for c in _containers(doc):
            for ref in c.get("envFrom", []):
                kind, target = ("ConfigMap", ref["configMapRef"]["name"]) \
                    if "configMapRef" in ref else ("Secret", ref["secretRef"]["name"])
                if target not in by_kind.get(kind, {}):
                    problems.append(f"{name}: {kind} {target} is not defined")
            limits = c.get("resources", {})
            if not limits.get("requests", {}).get("memory") or \
                    not limits.get("limits", {}).get("memory"):
                problems.append(f"{name}: memory request and limit must be set")
            if name in HEALTH:
                for probe in ("readinessProbe", "livenessProbe"):
                    path = c.get(probe, {}).get("httpGet", {}).get("path")
                    if path != HEALTH[name]:
                        problems.append(f"{name}: {probe} must GET {HEALTH[name]}, not {path}")
    for name, svc in by_kind.get("Service", {}).items():
        selector = svc["spec"].get("selector")
        if selector and not any(selector.items() <= d["spec"]["template"]["metadata"]
                                ["labels"].items() for d in by_kind.get("Deployment", {}).values()):
            problems.append(f"Service {name}: selects no Deployment")
    for name, ing in by_kind.get("Ingress", {}).items():
        for rule in ing["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                target = p["backend"]["service"]["name"]
                if target not in by_kind.get("Service", {}):
                    problems.append(f"Ingress {name}: {p['path']} goes to no Service {target}")
                if p["path"].startswith("/staff") and ing["spec"]["ingressClassName"] == "nginx":
                    problems.append(f"Ingress {name}: /staff on the public entry")
    rasa_config = by_kind.get("ConfigMap", {}).get("rasa-config", {}).get("data", {})
    for file in ("endpoints.yml", "credentials.yml"):
        ours = yaml.safe_load((settings.ROOT / file).read_text(encoding="utf-8"))
        if yaml.safe_load(rasa_config.get(file, "")) != ours:
            problems.append(f"ConfigMap rasa-config: {file} differs from the repository's")
    return problems


def main() -> int:
    docs = documents()
    problems = schema_problems(docs) + project_problems(docs)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"manifests: {len(docs)} objects in {len(list(K8S.glob('*.yaml')))} files valid "
          f"against Kubernetes {KUBERNETES_VERSION} (strict) and consistent")
    return 0
