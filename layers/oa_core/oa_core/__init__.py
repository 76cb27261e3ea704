"""oa_core: the shared Lambda layer of the OA system, one package per domain.

Packages, lowest first; a package imports only packages below it, never one above, and two
packages never import each other (checked by import-linter, ``[tool.importlinter]`` in
pyproject.toml, and by tests/unit/test_architecture.py, which also refuses any import cycle):

- platform   configuration, clock, errors, the records table's base, audit, mail, rendering, helpers
- identity   the organisation directory, roles, sign-in (OIDC), sessions, the caller of a request
- workflow   what every flow's human steps share: tasks, links, decisions' conditions, reminders
- publishing the GB/T 9704 typesetter and the 电子签章 primitives (values in, bytes out)
- outgoing   发文, from 拟稿 to 分发 and 对外发送
- bookings   rooms, vehicles, drivers; meetings and vehicle dispatch (beside outgoing, never importing it)
- records    归档 per DA/T 22 and 检索
- worklist   a person's 待办 across every flow; deciding any task by its id
- web        the staff pages and the approval-link pages

Nothing here imports the functions (functions/*/app.py) or the local stack (infra/).
"""
