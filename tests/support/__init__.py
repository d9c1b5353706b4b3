"""Test infrastructure shared by the test suites: a Bolt server and a Cypher linter."""
