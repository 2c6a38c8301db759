"""Background enrichment of memories into the knowledge graph."""
