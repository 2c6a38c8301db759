"""Sources of tables: histories of schema operations, replayed into head states."""
