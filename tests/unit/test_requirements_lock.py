"""requirements.lock pins every package an install of stakenet and its dev extra brings, and
the API's GraphQL libraries stay below the release their internals may change in."""

from __future__ import annotations

import tomllib
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[2]


def pinned() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text("utf-8").splitlines()
    pins = [line.split("==") for line in lines if line and not line.startswith("#")]
    return {canonicalize_name(name): version for name, version in pins}


def installed_requirements(project: str, extras: set[str]) -> dict[str, str]:
    """Every distribution `project` with `extras` needs, transitively, with its installed version."""
    found: dict[str, str] = {}
    pending = [(project, extras)]
    while pending:
        name, wanted = pending.pop()
        for text in distribution(name).requires or []:
            requirement = Requirement(text)
            environments = [{"extra": extra} for extra in wanted or {""}]
            if requirement.marker and not any(
                requirement.marker.evaluate(env) for env in environments
            ):
                continue
            key = canonicalize_name(requirement.name)
            if key not in found:
                found[key] = distribution(requirement.name).version
                pending.append((requirement.name, set(requirement.extras)))
    return found


def test_every_package_of_an_install_with_the_dev_extra_is_pinned_at_its_installed_version() -> (
    None
):
    needed = installed_requirements("stakenet", {"dev"})
    assert {"strawberry-graphql", "graphql-core", "pytest", "uvloop"} <= set(needed)
    pins = pinned()
    assert {name: pins.get(name) for name in needed} == needed


def test_the_lock_names_only_packages_an_install_brings() -> None:
    assert set(pinned()) <= set(installed_requirements("stakenet", {"dev"}))


def test_the_graphql_libraries_are_bounded_below_their_next_minor_release() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    ranges = {
        canonicalize_name(r.name): r.specifier for r in map(Requirement, project["dependencies"])
    }
    pins = pinned()
    for name in ("strawberry-graphql", "graphql-core"):
        major, minor = pins[name].split(".")[:2]
        next_minor = f"{major}.{int(minor) + 1}"
        assert pins[name] in ranges[name]
        assert next_minor not in ranges[name], f"{name} {ranges[name]} admits {next_minor}"
