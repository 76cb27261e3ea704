"""search (全文检索): the inverted index of 发文, the archive and 收文, and its queries.

Owns segmentation and normalisation (terms: jieba, search mode; 发文字号 and 档号 normalised), the
index in the search table (storage: one posting per term and document, a manifest per document of
what it wrote), its upkeep when a document changes or is archived and for attachment text (indexing),
the text of PDF and Word attachments (extraction), and the query with its ranking, access rules and
highlighted passages (query, passages). May import records, outgoing, workflow, identity and platform.
"""
