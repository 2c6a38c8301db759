"""Scheduled jobs (run by the worker container every night)."""
