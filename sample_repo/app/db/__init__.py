"""Database access helpers: connection pools, table names and shared queries."""
