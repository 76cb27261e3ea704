"""web: the staff pages and the approval-link pages, server-rendered.

Owns the pages' framework (pages: replies, the site, security headers, redirects, rendering, messages
and refusals, static files, form values), the 发文 pages (documents: 拟稿, 文件, 修改稿, PDF, 签收), the
工作台 (dashboard), 档案检索 (archive), the bookings pages (bookings: 会议室, 会议, 用车, resources),
角色授权 (roles) and the pages behind emailed approval links (approvals), with their jinja2 templates
(templates/pages, autoescape on) and their CSS and JS (static). Pages call the same domain functions as the JSON
API, so a page can do nothing the API forbids. May import every package below it.
"""
