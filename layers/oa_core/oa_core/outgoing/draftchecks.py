"""拟稿 checks on the text: how a 文书 marks up a draft before it goes to review.

Each finding names what was written (``found``) and, where there is one, what to write instead
(``suggestion``): replacing ``found`` by ``suggestion`` in its field gives a text the check passes. A
``suggestion`` of a 发文字号 replaces only its number part (〔2026〕7号), never the 机关代字 or the words
before it, which the check cannot tell apart.

- 发文字号 (GB/T 9704-2012 7.2.5): the year in 六角括号 〔〕 written in full, the 序号 without 第 and
  without leading zeros (不编虚位), nothing between: 〔2026〕7号. Any 代字 (a Chinese character right
  before the bracket), in the title, 正文 (引用 of other documents) and 附件说明 alike.
- Dates: Arabic numerals, no leading zeros: 2026年1月5日, never 2026年01月05日, 2026-01-05 or 二〇二六年.
- 报告 must not carry a request (《党政机关公文处理工作条例》第十五条: 报告不得夹带请示事项): 请/恳请/敬请/望…
  + whoever is asked + a verb of approval or help (批准, 批复, 审批, 核准, 审定, 同意, 支持, 解决, 拨付…), or
  特此请示, 盼复; an error in the 结尾 (the last line), advice earlier in the 正文. 请审阅, 请审议, 请予审查,
  请予备案 (a 备案报告) and 请批评指正 are how a 报告 may end.
- 附件名称 without final punctuation (GB/T 9704-2012 7.3.4).
- Template placeholders left in: ……, XX/XXX/ＸＸ (not in a Latin word such as XXL), ××, 〇〇/○○ (not in a
  number such as 二○○六), 【】, （请填写…）: an error in the title, advice elsewhere (an ellipsis or ×× may be
  meant in the 正文). 某某 is no placeholder: 通报 write 张某某, 某某公司 for real people and firms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_SPACE = r"[ \t\u3000]*"
_OPEN = "(（[［【〔﹝〈<{｛〖"
_CLOSE = ")）]］】〕﹞〉>}｝〗"
_NUMBER = re.compile(
    # after a 代字 (a Chinese character), or anywhere in the 六角括号 only a 发文字号 uses; the year in any
    # bracket, with or without 年 (〔2026年〕), or bare with 年 (示例办发2026年7号)
    rf"(?:(?<=[\u4e00-\u9fff])|(?={_SPACE}[〔﹝])){_SPACE}"
    rf"(?:[{re.escape(_OPEN)}]{_SPACE}(?P<year>\d{{4}}|\d{{2}}){_SPACE}(?P<nian>年)?{_SPACE}[{re.escape(_CLOSE)}]"
    rf"|(?P<bare>\d{{4}}){_SPACE}年){_SPACE}(?P<di>第)?{_SPACE}(?P<seq>\d{{1,6}}){_SPACE}号(?![楼院室库馆房线台车机桥门店位床])"
)
_DATE = re.compile(
    rf"(?<!\d)(?:(?P<y>\d{{4}}){_SPACE}年{_SPACE})?(?P<m>\d{{1,2}}){_SPACE}月(?:{_SPACE}(?P<d>\d{{1,2}}){_SPACE}日)?"
)
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_CHINESE_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}年")
_CHINESE_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_CLAUSE = r"[^，,。；;！!？?：:\n]"
_WHETHER = r"(?:(?:妥否|当否|可否|是否妥当|是否可行|是否同意|如无不妥)[，,、]?[ \t\u3000]*)?"
_ASKING = (
    r"(?<![已曾经并均们后次门])(?:恳请|敬请|特请|拟请|提请|报请|呈请|吁请"
    r"|(?<![申邀聘宴约延报提呈拟特恳敬吁])请(?!示)"  # not 申请, 邀请, 聘请…, not 请示 (经请示省政府同意)
    r")"
)
_HOPING = r"(?<![已曾经并均])(?:(?<![展愿声威渴观眺失张期盼])望|希望|盼望|期望|恳望)"
_VERB = r"(?:批准|批复|审批|核准|审定|核批|批转|批示|指示|同意|支持|解决|拨付|下拨|追加|答复|回复|函复|协调)"
_REQUEST = re.compile(
    # 请/恳请/敬请… + whoever is asked (省政府, 上级机关, 领导) + a verb of approval or help: 恳请省政府批准,
    # 请上级机关审批, 请予支持; 望 only right before the verb or with 予以/给予 (望批准为盼, 望上级予以支持),
    # since 希望通过……解决 is a hope, not a request; and the request formulas 特此请示, 请示如下, 盼复
    rf"{_WHETHER}(?:{_ASKING}{_CLAUSE}{{0,16}}?|{_HOPING}(?:{_CLAUSE}{{0,10}}?(?:予以|给予|予|帮助))?){_VERB}"
    r"(?:为盼|为荷|是盼)?"
    r"|(?:特此|专此)请示|请示如下|(?<!期)盼(?:予)?函?复"
)
_NUMERAL = "〇○零一二三四五六七八九十百千"
_LATIN = "A-Za-zＡ-Ｚａ-ｚ"
_PLACEHOLDER = re.compile(
    rf"…+|(?<![{_LATIN}])[xXＸｘ]{{2,}}(?![{_LATIN}])|[×＊*]{{2,}}|(?<![{_NUMERAL}])[〇○◯]{{2,}}(?![{_NUMERAL}])"
    r"|【(?!\d{2,4}】)[^】\n]{0,20}】"
    r"|[（(](?:请)?(?:填写|此处|在此)[^）)\n]{0,20}[）)]"
)
_FINAL_PUNCTUATION = "。．.，,；;、：:！!？?"
_LABEL = re.compile(r"^(?:\s*附\s*件\s*[：:]\s*)+")


@dataclass(frozen=True)
class Check:
    level: str
    """error (blocks submission) or warning (advice)."""
    field: str
    message: str
    found: str = ""
    """What was written, as it stands in the field (empty when the check is about the whole field)."""
    suggestion: str = ""
    """What to write instead of ``found`` (empty: delete it, or no mechanical fix)."""


Report = Callable[[Check], None]


def full_year(digits: str) -> int:
    """A year as written in a 发文字号: two digits are this century's up to 50 (〔26〕 → 2026), else the last's."""
    year = int(digits)
    if len(digits) == 4:
        return year
    return 2000 + year if year <= 50 else 1900 + year


def number_findings(field: str, text: str, report: Report) -> None:
    """发文字号 whose number part is not 〔YYYY〕N号."""
    for match in _NUMBER.finditer(text):
        found = match.group(0)
        written = match.group("year") or match.group("bare")
        year, seq = full_year(written), int(match.group("seq"))
        suggestion = f"〔{year}〕{seq}号"
        if found == suggestion or seq == 0:
            continue
        why = []
        if not found.lstrip(" \t\u3000").startswith("〔") or "〕" not in found:
            why.append("年份用六角括号“〔〕”")
        if len(written) == 2:
            why.append("年份写全四位")
        if match.group("nian") or match.group("bare"):
            why.append("年份后不加“年”")
        if match.group("di"):
            why.append("序号前不加“第”")
        if match.group("seq").startswith("0"):
            why.append("序号不编虚位、不加“0”")
        if re.search(r"[ \t\u3000]", found):
            why.append("中间不空格")
        report(
            Check(
                "warning",
                field,
                f"发文字号中的“{found.strip()}”应写作“{suggestion}”（{'，'.join(why)}）",
                found,
                suggestion,
            )
        )


def date_findings(field: str, text: str, report: Report) -> None:
    """Dates with leading zeros or spaces, written with - / ., or with a year in Chinese numerals."""
    for match in _DATE.finditer(text):
        if not (match.group("y") or match.group("d")):
            continue
        year, month, day = match.group("y"), int(match.group("m")), match.group("d")
        suggestion = (f"{year}年" if year else "") + f"{month}月" + (f"{int(day)}日" if day else "")
        if match.group(0) != suggestion and 1 <= month <= 12:
            report(
                Check(
                    "warning",
                    field,
                    f"日期“{match.group(0)}”应写作“{suggestion}”（月、日不编虚位，不加“0”）",
                    match.group(0),
                    suggestion,
                )
            )
    for match in _NUMERIC_DATE.finditer(text):
        y, m, d = match.groups()
        suggestion = f"{int(y)}年{int(m)}月{int(d)}日"
        report(Check("warning", field, f"日期“{match.group(0)}”宜写作“{suggestion}”", match.group(0), suggestion))
    for match in _CHINESE_YEAR.finditer(text):
        suggestion = match.group(0).translate(_CHINESE_DIGITS)
        report(
            Check(
                "warning",
                field,
                f"日期用阿拉伯数字书写：“{match.group(0)}”写作“{suggestion}”，如“2026年1月5日”",
                match.group(0),
                suggestion,
            )
        )


def report_request_findings(body: str, report: Report) -> None:
    """报告夹带请示: a request for approval in a 报告. In its 结尾 (the last line, where 妥否，请批示 or
    恳请……批准 stand) an error, as the regulation forbids it; earlier in the 正文 advice, since
    「通过请专家解决技术难题」 tells what was done and the words alone cannot tell it apart."""
    text = body.rstrip()
    ending = text.rfind("\n") + 1
    for match in _REQUEST.finditer(text):
        if match.start() >= ending:
            message = (
                f"报告不得夹带请示事项：请删去“{match.group(0)}”（报告可用“特此报告”结尾）；需要上级批准的事项，"
                "请另行请示，或将文种改为请示"
            )
            report(Check("error", "body", message, match.group(0), ""))
        else:
            message = (
                f"“{match.group(0)}”像是请示事项：报告不得夹带请示事项，需要上级批准的事项请另行请示"
                "（只是叙述已做的工作的，可忽略本条）"
            )
            report(Check("warning", "body", message, match.group(0), ""))


def attachment_name_findings(note: str, report: Report) -> None:
    """附件名称 ending in punctuation (the note's lines; a leading 附件： is dropped on submission anyway)."""
    for line in note.replace("\r\n", "\n").split("\n"):
        name = _LABEL.sub("", line.strip())
        cleaned = name.rstrip(_FINAL_PUNCTUATION + " ").strip()
        if name and cleaned != name:
            report(
                Check(
                    "warning",
                    "attachment_note",
                    f"附件名称后不加标点：“{name}”写作“{cleaned}”",
                    name,
                    cleaned,
                )
            )


def placeholder_findings(field: str, text: str, report: Report) -> None:
    """Template placeholders still in the text: refused in the title, advised elsewhere."""
    label = {"title": "标题", "body": "正文", "attachment_note": "附件说明"}[field]
    for match in _PLACEHOLDER.finditer(text):
        what = match.group(0)
        if field == "title":
            message = f"标题中还有模板占位“{what}”，请写明具体内容，如“关于做好节日值班工作的通知”"
        else:
            message = f"{label}中的“{what}”像是模板占位，请写明具体内容（确需保留的可忽略本条）"
        report(Check("error" if field == "title" else "warning", field, message, what, ""))
