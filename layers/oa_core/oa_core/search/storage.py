"""The search table: an inverted index, one partition per scope and term.

item        PK                       SK                    holds
posting     <scope>#<term>           <date>#<document id>  weighted term frequency, fields, length, who may read
manifest    DOC#<document id>        MANIFEST              the keys of every posting the document has (and is writing)
attachment  DOC#<document id>        ATT#<name>            an attachment's extracted text
stats       STATS#<scope>            STATS                 documents and their total length (BM25's N and avgdl)

A query reads the postings of its terms (one Query each, newest first) and nothing else of the
archive: its cost follows how many documents hold the terms, not how many there are.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from oa_core.platform.config import settings

SCOPES = ("outgoing", "archive", "incoming")
"""发文 (every outgoing document), 档案 (the archived ones), 收文."""


class SearchItem(Model):
    class Meta:
        table_name = settings().search_table
        region = settings().region

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)


class PostingItem(SearchItem):
    """倒排项: one term of one document in one scope."""

    d = UnicodeAttribute()
    """document id"""
    w = NumberAttribute()
    """Σ field weight × term frequency"""
    dl = NumberAttribute()
    """the document's length in words"""
    f = UnicodeAttribute()
    """codes of the fields that hold the term (terms.FIELD_CODES)"""
    dep = UnicodeAttribute(default="")
    """拟稿部门 (access)"""
    usr = ListAttribute(of=UnicodeAttribute, default=list)
    """拟稿人, 核稿人, 会签人, 签发人 (access)"""
    to = ListAttribute(of=UnicodeAttribute, default=list)
    """分发部门 (access once distributed)"""
    st = UnicodeAttribute(default="")
    """status when indexed"""


class ManifestItem(SearchItem):
    """What a document has in the index: its postings (``<scope>#<term>`` under ``date``), and those an
    update is writing (``pending`` under ``pending_date``), so that a later update removes both."""

    keys = ListAttribute(of=UnicodeAttribute, default=list)
    date = UnicodeAttribute(default="")
    pending = ListAttribute(of=UnicodeAttribute, default=list)
    pending_date = UnicodeAttribute(default="")
    version = NumberAttribute(default=0)
    scopes = ListAttribute(of=UnicodeAttribute, default=list)
    length = NumberAttribute(default=0)


class AttachmentTextItem(SearchItem):
    """附件文字: the text of one attachment, for its terms and passages."""

    name = UnicodeAttribute()
    text = UnicodeAttribute(default="")


class StatsItem(SearchItem):
    docs = NumberAttribute(default=0)
    length = NumberAttribute(default=0)


def manifest_pk(document_id: str) -> str:
    return f"DOC#{document_id}"


def attrs(item: Any) -> dict[str, Any]:
    return dict(item.attribute_values)
