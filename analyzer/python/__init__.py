"""One parsed module per Python file, and the cheap machinery around it (positions, walk)."""
