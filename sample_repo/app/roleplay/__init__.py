"""Roleplay state: multi-step transactions and role assignments."""
