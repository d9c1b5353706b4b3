"""The container set-up: docker-compose.yml, the Dockerfile and the example env file agree.

Docker cannot run here, so these read the files and check what compose and the image rely on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def env_file(name: str) -> dict[str, str]:
    lines = (ROOT / name).read_text("utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_neo4j_runs_the_official_image_the_tests_run_on_with_auth_from_the_env_file_and_a_volume(
    compose: dict[str, Any],
) -> None:
    neo4j = compose["services"]["neo4j"]
    # The tests fetch the newest patch of one minor release, e.g. [5.26.0,5.27.0): that release.
    pom = (ROOT / "tests/support/neo4j/pom.xml").read_text("utf-8")
    tested = re.search(r"<version>\[(\d+)\.(\d+)\.0,", pom)
    assert tested is not None
    assert neo4j["image"] == f"neo4j:{tested[1]}.{tested[2]}"
    assert neo4j["env_file"] == "neo4j.env"
    assert "NEO4J_AUTH" not in neo4j.get("environment", {})
    [volume] = neo4j["volumes"]
    name, target = volume.split(":")
    assert target == "/data" and name in compose["volumes"]
    assert "7474" in " ".join(neo4j["healthcheck"]["test"])


def test_stakenet_waits_for_a_healthy_neo4j_and_gets_credentials_from_the_env(
    compose: dict[str, Any],
) -> None:
    stakenet = compose["services"]["stakenet"]
    assert stakenet["build"] == "."
    assert stakenet["depends_on"] == {"neo4j": {"condition": "service_healthy"}}
    assert stakenet["env_file"] == "neo4j.env"
    assert stakenet["environment"]["STAKENET_DATABASE_URL"].startswith("bolt://neo4j:7687/")
    assert "@" not in stakenet["environment"]["STAKENET_DATABASE_URL"]
    assert any(port.endswith(":8000") for port in stakenet["ports"])


def test_published_ports_are_bound_to_loopback(compose: dict[str, Any]) -> None:
    for service in compose["services"].values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port


def test_the_example_env_file_gives_neo4j_and_stakenet_the_same_credentials() -> None:
    env = env_file("neo4j.env.example")
    user, password = env["NEO4J_AUTH"].split("/", 1)
    assert (env["STAKENET_NEO4J_USER"], env["STAKENET_NEO4J_PASSWORD"]) == (user, password)
    assert password == "change-me"


def test_the_image_runs_as_a_non_root_user_and_checks_readiness() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "\nUSER stakenet\n" in dockerfile
    assert "pip install -c requirements.lock ." in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/readyz" in dockerfile
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert '"serve"' in cmd and '"0.0.0.0"' in cmd and '"8000"' in cmd


def test_secrets_stay_out_of_the_build_context() -> None:
    ignored = (ROOT / ".dockerignore").read_text("utf-8").splitlines()
    assert "neo4j.env" in ignored and ".git" in ignored
