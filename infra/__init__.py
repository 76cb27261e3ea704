"""Infrastructure code: the local stack, demo data and ops scripts (not deployed)."""
