"""Users, identities across platforms, profiles and relationships."""
