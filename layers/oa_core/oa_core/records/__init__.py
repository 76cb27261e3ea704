"""records (归档): archiving per DA/T 22-2015, and finding what was archived.

Owns the archive package (one per document: its files, manifest, seals and PDF; archive), 件号,
档号, 保管期限, Object Lock retention and the 四性检测 (filing), and the archive index with its
retrieval (检索: retrieval, storage). May import outgoing (what it archives), publishing, workflow,
identity and platform.
"""
