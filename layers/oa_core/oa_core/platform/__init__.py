"""platform: what every other package stands on.

Owns configuration (config), time (clock), domain errors with their HTTP status (errors), the
records table's base model, shared items, transactions and key scheme (storage), the audit trail
(audit), email (mail) and jinja2 rendering over every package's templates (rendering), business
metrics (metrics), the step Lambdas' shared handler (lambda_support), HTTP edge helpers (http), the
base pydantic models (models) and scheduled events (events). Imports nothing of oa_core.
"""
