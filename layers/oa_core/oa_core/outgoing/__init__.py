"""outgoing (发文): an outgoing document from 拟稿 to 分发 and 对外发送.

Owns the 15 文种 (doctypes), drafting help and drafts (drafting), the document, its versions and
their 痕迹 (documents, diffing, storage), its human steps and decisions (human_steps: 核稿, 会签,
签发, 修改; decisions), DocumentFlow (flow, steps: 编号, 分发, failure and resume), numbering rules
(numbering), the 电子签章 of its content (sealing), 印制 (printing: the sealed PDF typeset by
publishing), 签收 (receipts), 对外发送 (delivery), reminders and the emails (notify). May import
publishing, workflow, identity and platform.
"""
