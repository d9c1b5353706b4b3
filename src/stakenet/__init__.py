"""stakenet: stakeholder network mapping for relationship managers."""

__version__ = "0.1.0"
