"""Makes the ``bolt_server`` fixture available to the tests in this directory."""

from __future__ import annotations

from .bolt_fixtures import bolt_server

__all__ = ["bolt_server"]
