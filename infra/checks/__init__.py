"""Offline checks of what we deploy, run by make test: judges that are not moto."""
