"""worklist (待办): a person's tasks across every flow, and deciding any of them by its id.

Owns nothing in storage: a task is workflow's, its subject a domain's. ``decide`` checks who decides
(workflow) and hands the task to the domain that owns its subject: meeting approvals to
bookings.meetings, 发文's 核稿/会签/签发 to outgoing.decisions (a new flow adds its line here). It may
import the domains, workflow, identity and platform; only web and the functions import it.
"""
