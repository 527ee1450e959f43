"""The deploy/ set agrees with the code it deploys (no cluster or Docker daemon here: the files
are checked against each other and the project; docs/deployment.md says what is not run)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_compose_starts_the_code_location_dagster_and_postgres_consistently():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    dagster = _project()["tool"]["dagster"]
    assert set(compose["services"]) == {"postgres", "user-code", "webserver", "daemon"}
    user_code = compose["services"]["user-code"]["command"]
    assert user_code[user_code.index("-m") + 1] == dagster["module_name"]
    assert user_code[user_code.index("--location-name") + 1] == dagster["code_location_name"]
    [grpc] = yaml.safe_load((DEPLOY / "workspace.grpc.yaml").read_text())["load_from"]
    assert grpc["grpc_server"]["location_name"] == dagster["code_location_name"]
    assert (
        grpc["grpc_server"]["host"] == "user-code"
        and f'"{grpc["grpc_server"]["port"]}"' in (DEPLOY / "compose.yaml").read_text()
    )
    for service in ("webserver", "daemon"):
        assert "/opt/ogp/deploy/workspace.grpc.yaml" in compose["services"][service]["command"]
    # Every variable the instance config reads is set for every Dagster process.
    wanted = set(re.findall(r"env: (DAGSTER_\w+)", (DEPLOY / "dagster.yaml").read_text()))
    environment = compose["x-platform-env"]
    assert wanted <= set(environment)
    documented = set(re.findall(r"^#? ?(OGP_\w+)=", (ROOT / ".env.example").read_text(), re.M))
    assert {name for name in environment if name.startswith("OGP_")} <= documented


def test_helm_values_launch_each_run_as_a_pod_of_the_platforms_image():
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    dagster = _project()["tool"]["dagster"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    [deployment] = values["dagster-user-deployments"]["deployments"]
    args = deployment["dagsterApiGrpcArgs"]
    assert args[args.index("-m") + 1] == dagster["module_name"]
    env = {e["name"]: e["value"] for e in deployment["env"]}
    assert env["OGP_DBT_TARGET"] == "postgres"
    assert "dagster-k8s" in " ".join(_project()["project"]["optional-dependencies"]["k8s"])


def test_the_image_holds_every_package_of_the_project():
    dockerfile = (ROOT / "Dockerfile").read_text()
    packages = [p.rstrip("*") for p in _project()["tool"]["setuptools"]["packages"]["find"]["include"]]
    for package in packages:
        assert f"COPY {package} ./{package}" in dockerfile, package
    assert "COPY deploy ./deploy" in dockerfile
