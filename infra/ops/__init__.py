"""Ops scripts for a deployed stack: seed the organisation (make seed-org), verify a package or PDF (make verify)."""
