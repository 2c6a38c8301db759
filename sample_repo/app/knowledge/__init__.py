"""Semantic knowledge graph built from conversations."""
