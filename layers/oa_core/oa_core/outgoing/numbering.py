"""编号规则: which 机关代字 a document's 发文字号 takes, by issuing office and by 文种 family.

Rules are configuration (template parameter ``NumberingRules``, environment ``NUMBERING_RULES``): a
JSON list tried in order, the first rule whose 文种 and department match giving the code; none
matching gives ``IssuerCode``. For example::

    [{"code": "示例办函", "doc_types": ["函"]},
     {"code": "示例政法", "departments": ["zcfgk"]}]

numbers 函 as 示例办函〔2026〕1号, other documents of 政策法规科 as 示例政法〔2026〕1号, and the rest as
示例办发〔2026〕1号. Every code has its own counter per year (yearly reset); the number is taken
only at the 编号 step, never at drafting.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Annotated

from pydantic import Field, StringConstraints, TypeAdapter, ValidationError, field_validator

from oa_core.outgoing.doctypes import DOC_TYPES
from oa_core.platform.config import settings
from oa_core.platform.models import StrictModel

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=20, pattern=r"^[^\s〔〕\[\]]+$")
]


class NumberingRule(StrictModel):
    """One rule: a 机关代字 for some 文种 and/or some departments (empty = any)."""

    code: Code
    doc_types: Annotated[list[str], Field(default_factory=list, max_length=15)]
    departments: Annotated[list[str], Field(default_factory=list, max_length=50)]

    @field_validator("doc_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in DOC_TYPES]
        if unknown:
            raise ValueError(f"编号规则中的文种不存在：{'、'.join(unknown)}")
        return value

    def matches(self, doc_type: str, department: str) -> bool:
        return (not self.doc_types or doc_type in self.doc_types) and (
            not self.departments or department in self.departments
        )


class NumberingRulesError(ValueError):
    """The configured rules cannot be read: the message says which and why (at the first 编号)."""


@cache
def rules() -> tuple[NumberingRule, ...]:
    text = os.environ.get("NUMBERING_RULES", "").strip()
    if not text:
        return ()
    try:
        parsed = TypeAdapter(list[NumberingRule]).validate_python(json.loads(text))
    except (ValueError, ValidationError) as exc:
        raise NumberingRulesError(f"编号规则（NUMBERING_RULES）无效：{exc}") from exc
    return tuple(parsed)


def issuer_code_for(doc_type: str, department: str) -> str:
    """The 机关代字 for a document of this 文种 drafted in this department."""
    return next((rule.code for rule in rules() if rule.matches(doc_type, department)), settings().issuer_code)
