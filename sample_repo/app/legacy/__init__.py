"""Code kept from the original Discord bot. Not imported by the service."""
