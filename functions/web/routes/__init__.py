"""The staff pages' routes, one Powertools Router per domain, included by app.py.

- signin     /login, /auth/* (the Cognito hosted UI, OIDC) and /logout
- dashboard  工作台 (/)
- documents  发文: 拟稿 (/documents/new, /drafts/check), the document page and what is done on it
- incoming   收文: 文书登记 (/incoming/new), one 收文 (/incoming/<id>), 签收 and 登记 on it, 转为收文
- archive    档案检索 (/archive)
- bookings   会议室 (/rooms), 会议 (/meetings), 用车 (/dispatch), resources (/resources)
- roles      角色授权 (/roles), the 安全管理员's page
- static     the pages' CSS and JS (/static)
- gate       what they share: the session gate (sign-in, CSRF) and the request's cookies, form and query

The pages themselves are oa_core.web's; a route only reads the request and passes the signed-in user
to a page. app.py keeps the resolver and the handler (which sets the site URL of the request). This
package is part of the function's code (CodeUri functions/web/), so on Lambda it is the top-level
``routes`` beside ``app``; its modules import one another relatively. Routers keep no request
state: they read the request through ``router.current_event``, which Powertools takes from the
resolver that included the router. The local stack imports this package once per execution
environment, as it does app.py (infra/local/lambda_dispatch.py), so its modules are imported at the
top of a module, never inside a function.
"""
