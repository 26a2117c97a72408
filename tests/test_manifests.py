"""The Kubernetes manifests validate offline (strict schema and the project's own checks), and
the checks do catch what they are for."""
from __future__ import annotations

import copy

from bot.deploy.manifests import documents, project_problems, schema_problems


def test_the_manifests_are_valid_and_consistent():
    docs = documents()
    assert {doc["kind"] for _, doc in docs} >= {
        "Namespace", "ConfigMap", "Secret", "Service", "Job", "Deployment", "Ingress",
        "NetworkPolicy"}
    assert schema_problems(docs) == [] and project_problems(docs) == []


def find(docs, kind, name):
    return next(doc for _, doc in docs if doc["kind"] == kind and doc["metadata"]["name"] == name)


def test_a_misspelt_field_fails_the_schema():
    docs = copy.deepcopy(documents())
    container = find(docs, "Deployment", "rasa")["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    assert any("readinesProbe" in p for p in schema_problems(docs))
    assert any("readinessProbe must GET /" in p for p in project_problems(docs))


def test_staff_on_the_public_entry_and_dangling_names_are_caught():
    docs = copy.deepcopy(documents())
    public = find(docs, "Ingress", "public")
    path = copy.deepcopy(public["spec"]["rules"][0]["http"]["paths"][0])
    path["path"] = "/staff"
    public["spec"]["rules"][0]["http"]["paths"].append(path)
    find(docs, "Deployment", "portal")["spec"]["template"]["spec"]["containers"][0][
        "envFrom"][0]["configMapRef"]["name"] = "no-such-map"
    problems = project_problems(docs)
    assert any("/staff on the public entry" in p for p in problems)
    assert any("ConfigMap no-such-map is not defined" in p for p in problems)
