"""web: the staff pages and the approval-link pages, server-rendered.

Owns the pages' framework (pages: replies, sessions on pages, CSRF, forms, the names pages show),
the 发文 pages (工作台, 拟稿, 文件, 档案检索), the bookings pages (会议室, 会议, 用车, resources) and
the pages behind emailed approval links (approvals), with their jinja2 templates (templates/pages,
autoescape on) and their CSS and JS (static). Pages call the same domain functions as the JSON
API, so a page can do nothing the API forbids. May import every package below it.
"""
