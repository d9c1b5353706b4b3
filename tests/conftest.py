"""Fixtures shared by every test directory: one Bolt test server for the whole session."""

from __future__ import annotations

from support.bolt_fixtures import bolt_server

__all__ = ["bolt_server"]
