"""The domain: stakeholders, ties, interactions, their rules and errors (standard library only)."""
