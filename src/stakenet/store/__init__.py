"""Storage: the port every store implements, and its adapters (SQLite embedded, Neo4j over Bolt)."""
