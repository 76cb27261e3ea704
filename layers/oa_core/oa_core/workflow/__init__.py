"""workflow: what every flow's human steps share, whatever the flow decides.

Owns tasks (待办) with due times in their subject's partition (tasks), opaque, expiring,
single-use approval links (links), the conditions and answer of an exactly-once decision
(decisions), answering a waiting Step Functions execution (flow), the overdue scan and the
once-per-period claims of 催办 and 督办 (reminders), the opinions given (意见, HistoryItem) and the
decision's edge models. Knows no subject: 发文 and meetings build their steps on it. May import
identity and platform.
"""
