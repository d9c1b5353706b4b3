"""Network analytics over the stakeholder graph: tie strength, centrality, paths and risks."""
