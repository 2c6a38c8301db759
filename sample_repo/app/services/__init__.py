"""Service layer of the web API: ORM sessions, no raw SQL."""
