"""The JSON API's routes, one Powertools Router per domain, included by app.py.

- documents     发文: 拟稿 (idempotent), reading, 修改稿, resume, 电子签章 check, the PDF, 签收
- attachments   附件: the presigned upload, attaching (checked), the list, order, title, replace, remove, open
- tasks         我的待办 and deciding a task (documents and meetings alike)
- archive       档案: 检索, the 档案包 download, the 四性检测 report
- bookings      resources (会议室、车辆、驾驶员), their occupancy, 预订 and 取消
- meetings      会议申请, 我的会议, 会议变更, 取消会议
- dispatch      用车申请 and 派车
- organisation  组织机构 for pickers
- common        what the routers share (file downloads, the `from`/`to` window)
- openapi       the OpenAPI document completed: every error, path ids, the `from`/`to` window

app.py keeps the resolver, the exception handlers, /health and /openapi.json. This package is part
of the function's code (CodeUri functions/api/), so on Lambda it is the top-level ``routes`` beside
``app``; its modules import one another relatively. Routers keep no request state: a route reads
the request through ``router.current_event``, which Powertools takes from the resolver that
included the router. The local stack imports this package once per execution environment, as it
does app.py (infra/local/lambda_dispatch.py), so its modules are imported at the top of a module,
never inside a function.
"""
