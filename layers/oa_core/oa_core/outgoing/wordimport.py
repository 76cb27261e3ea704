"""从 Word 导入: a .docx becomes the 拟稿 form's 标题, 主送机关, 正文, 附件说明 and 抄送, for the drafter to review.

Nothing is stored: `import_docx(data)` reads the file (python-docx, imported lazily: only the functions that import
Word carry it) and answers the fields and the warnings a drafter should look at. The text is written the way the
typesetter (`publishing.layout`) and the form's field rules (`platform.fields`) take it:

* 标题: the paragraph in the Title style (标题), else the first paragraph if it is centred or set large (≥ 18 pt);
  centred large paragraphs right after it continue it (a title over two lines);
* 结构层次 (GB/T 9704 §7.3.3): paragraphs in Heading 1–4 (or with outline level 1–4) get 一、/（一）/1．/（1）
  counted per level, replacing a number the author typed; a paragraph that already begins with one keeps it,
  half-width forms made full width;
* 主送机关: the first short paragraph after the title that ends with a colon, split on 、，; outside brackets
* 附件说明: 「附件：…」 and the numbered lines after it, one attachment a line without 「附件：」, its number or a
  final punctuation mark (the typesetter numbers several);
* 抄送, 落款 and 成文日期, 印发 lines, and the attachments' own pages after the date are not 正文: 抄送 fills the
  form's field, the rest is left out (the system prints them) with a warning;
* tables become lines, cells separated by a full-width space; pictures and charts are refused, counted;
* .doc (OLE2, also a password-protected .docx), RTF, other files and broken ZIPs are refused with what to do.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import asdict, dataclass, field
from typing import Any

from oa_core.outgoing.direction import unit_names
from oa_core.platform.errors import DomainError, Forbidden, InvalidInput

MAX_BYTES = 4 * 1024 * 1024
"""The largest .docx taken: API Gateway passes the file base64-encoded to Lambda, whose request payload is at most
6 MB, so 4 MiB of file is what fits with the request's headers. A 正文 without pictures is far smaller."""
MAX_UNPACKED = 64 * 1024 * 1024
"""The most the ZIP's members may unpack to (a ZIP bomb is refused before any XML is parsed)."""

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PICTURE_TAGS = (
    "{http://schemas.openxmlformats.org/drawingml/2006/picture}pic",
    "{http://schemas.openxmlformats.org/drawingml/2006/chart}chart",
    "{urn:schemas-microsoft-com:vml}imagedata",
    f"{W}object",
)
_SKIPPED_CONTAINERS = frozenset(
    {
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
        f"{W}txbxContent",
        f"{W}del",
        f"{W}moveFrom",
    }
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CN_DIGITS = "零一二三四五六七八九"

_EXISTING_NUMBER = (
    re.compile(r"^[一二三四五六七八九十百零〇]+\s*[、.．，,]\s*"),
    re.compile(r"^[（(]\s*[一二三四五六七八九十百零〇]+\s*[）)]\s*"),
    re.compile(r"^\d+\s*[.．、]\s*(?!\d)"),
    re.compile(r"^[（(]\s*\d+\s*[）)]\s*"),
)
_ATTACHMENT_START = re.compile(r"^附\s*件\s*[：:]\s*(.*)$")
_ATTACHMENT_ITEM = re.compile(r"^(\d+)\s*[.．、]\s*(.+)$")
_ATTACHMENT_PAGE = re.compile(r"^附\s*件\s*\d*\s*$")
_CC_LINE = re.compile(r"^抄\s*送\s*[：:]\s*(.+?)[。.]?$")
_CN_DAY = r"[\d一二三四五六七八九十]{1,3}"
_DATE_LINE = re.compile(rf"^(\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*{_CN_DAY}\s*月\s*{_CN_DAY}\s*日$")
_PRINT_LINE = re.compile(r"印\s*发$")
_NUMBER_LINE = re.compile(r"^[\u4e00-\u9fa5]{1,12}[发函字]\s*[〔\[(（【［]\s*\d{4}\s*[〕\])）】］]\s*\d+\s*号$")
_FINAL_PUNCTUATION = "。，；、.,;：:"


@dataclass
class WordImport:
    """What the form is filled with; `warnings` are for the drafter to check before submitting."""

    title: str = ""
    main_recipients: list[str] = field(default_factory=list)
    body: str = ""
    attachment_note: str = ""
    cc: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Block:
    text: str
    level: int = 0  # 1–4 for a heading by style or outline level
    centred: bool = False
    large: bool = False
    table: bool = False


def import_docx(data: bytes) -> WordImport:
    """The form's fields from a .docx; InvalidInput (422) or 413 with what to do for anything else."""
    document = _open(data)
    pictures = sum(1 for element in document.element.body.iter(*_PICTURE_TAGS) if not _skipped(element))
    if pictures:
        raise InvalidInput(
            f"文档中有 {pictures} 张图片或图表，正文只能导入文字：请删除图片后再导入（图片可作为附件另行上传）"
            " (pictures are refused)",
            code="word_has_pictures",
        )
    blocks = list(_blocks(document))
    if not any(block.text for block in blocks):
        raise InvalidInput("文档中没有文字，无法导入 (the document has no text)", code="word_empty")
    return _fields(blocks)


def import_for(user: dict[str, Any], data: bytes) -> WordImport:
    """从 Word 导入 for a 拟稿人 (the form's own rule); nothing is stored, so nothing is audited."""
    if "drafter" not in user.get("roles", []):
        raise Forbidden("您的账号没有拟稿权限，不能导入 Word 文档 (drafters only)", code="forbidden")
    return import_docx(data)


class TooLarge(DomainError):
    status = 413
    code = "too_large"


def _open(data: bytes) -> Any:
    if len(data) > MAX_BYTES:
        raise TooLarge(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，无法导入：请删除图片等内容后再试 (too large)")
    if not data:
        raise InvalidInput("请选择要导入的 Word 文档（扩展名 .docx） (no file)", code="word_missing")
    if data.startswith(OLE2_MAGIC):
        raise InvalidInput(
            "这是旧版 Word 文档（扩展名 .doc）或设置了打开密码的文档，无法导入：请在 Word 或 WPS 中取消密码，"
            "“另存为” Word 文档（扩展名 .docx）后再导入 (old .doc or encrypted)",
            code="word_old_format",
        )
    if data.lstrip()[:5] == b"{\\rtf":
        raise InvalidInput(
            "这是 RTF 文档，无法导入：请在 Word 或 WPS 中“另存为” Word 文档（扩展名 .docx）后再导入 (rtf file)",
            code="word_old_format",
        )
    not_word = InvalidInput(
        "这不是 Word 文档（扩展名 .docx），无法导入：请选择扩展名为 .docx 的文件 (not a .docx)", code="word_not_docx"
    )
    if not data.startswith(b"PK"):
        raise not_word
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > MAX_UNPACKED:
                raise TooLarge("文档解压后过大，无法导入 (unpacks too large)")
            if "word/document.xml" not in {member.filename for member in members}:
                raise not_word
            archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError, NotImplementedError):
        raise InvalidInput(
            "文件已损坏，无法打开：请在 Word 或 WPS 中打开并重新保存为 .docx 后再导入 (broken ZIP)",
            code="word_broken",
        ) from None
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises KeyError, ValueError or lxml's errors for a damaged package
        raise InvalidInput(
            "文件已损坏或不是 Word 文档，无法打开：请在 Word 或 WPS 中打开并重新保存为 .docx 后再导入"
            " (unreadable .docx)",
            code="word_broken",
        ) from None


def _skipped(element: Any) -> bool:
    """Inside a text box, a deletion (痕迹 not accepted) or a compatibility fallback: not the document's text."""
    parent = element.getparent()
    while parent is not None:
        if parent.tag in _SKIPPED_CONTAINERS:
            return True
        parent = parent.getparent()
    return False


def _text(paragraph_element: Any) -> str:
    """A paragraph's text with tracked changes accepted, soft line breaks joined, tabs as a space."""
    parts: list[str] = []
    for node in paragraph_element.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}p"):
        if node is paragraph_element:
            continue
        if node.tag == f"{W}p" or _skipped(node):
            continue
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}tab":
            parts.append(" ")
        else:
            parts.append("\n")
    return _clean("".join(parts))


def _clean(text: str) -> str:
    """Joined lines, no control or format characters (the form refuses them), no indent typed with spaces."""
    text = re.sub(r"(?<=[A-Za-z0-9])\n(?=[A-Za-z0-9])", " ", text).replace("\n", "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    text = text.replace("\u00a0", " ")
    return re.sub(r"[ \u3000]{2,}", "\u3000", text).strip(" \u3000")


def _style_level(paragraph: Any) -> int:
    """1–4 for Heading 1–4 (标题 1–4 in a Chinese Word), or an outline level 0–3 on the paragraph or its style."""
    style = paragraph.style
    while style is not None:
        name = re.sub(r"\s+", "", str(style.name or "")).lower()
        found = re.fullmatch(r"(?:heading|标题)([1-9])", name)
        if found:
            return int(found.group(1)) if int(found.group(1)) <= 4 else 0
        outline = style.element.find(f"{W}pPr/{W}outlineLvl")
        if outline is not None:
            return _outline(outline)
        style = style.base_style
    return 0


def _outline(element: Any) -> int:
    value = str(element.get(f"{W}val") or "")
    return int(value) + 1 if value.isdigit() and int(value) < 4 else 0


def _paragraph(paragraph: Any) -> _Block:
    outline = paragraph._p.find(f"{W}pPr/{W}outlineLvl")
    level = _outline(outline) if outline is not None else _style_level(paragraph)
    alignment = paragraph.paragraph_format.alignment
    if alignment is None and paragraph.style is not None:
        alignment = paragraph.style.paragraph_format.alignment
    sizes = [run.font.size.pt for run in paragraph.runs if run.font.size is not None and run.text.strip()]
    style_size = paragraph.style.font.size if paragraph.style is not None else None
    mark = paragraph._p.find(f"{W}pPr/{W}rPr/{W}sz")  # the paragraph mark's size, where LibreOffice puts it
    mark_size = int(mark.get(f"{W}val")) / 2 if mark is not None and str(mark.get(f"{W}val")).isdigit() else 0.0
    size = max(sizes) if sizes else (mark_size or (style_size.pt if style_size is not None else 0.0))
    name = str(paragraph.style.name or "").lower() if paragraph.style is not None else ""
    title_style = name in ("title", "标题")
    return _Block(
        _text(paragraph._p),
        level=-1 if title_style else level,
        centred=alignment is not None and int(alignment) == 1,
        large=size >= 18,
    )


def _table_lines(table: Any) -> list[str]:
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats itself across the columns it spans
                continue
            seen.add(id(cell._tc))
            cells.append("".join(_text(p) for p in cell._tc.iter(f"{W}p") if not _skipped(p)))
        line = "\u3000".join(cells).strip("\u3000")
        if line:
            lines.append(line)
    return lines


def _blocks(document: Any) -> Any:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            block = _paragraph(item)
            if block.text:
                yield block
        elif isinstance(item, Table):
            for line in _table_lines(item):
                yield _Block(line, table=True)


def _fields(blocks: list[_Block]) -> WordImport:
    result = WordImport()
    rest = _take_title(blocks, result)
    rest = _take_recipients(rest, result)
    body: list[str] = []
    counters = [0, 0, 0, 0]
    used = [block.level for block in rest if block.level >= 1]
    shift = min(used) - 1 if used else 0  # the highest heading level in the 正文 is 一、 (Heading 1 was the title)
    attachments: list[str] = []
    tables = 0
    dropped: list[str] = []
    in_attachments = False
    ended = False
    for index, block in enumerate(rest):
        text = block.text
        if ended:
            break
        start = _ATTACHMENT_START.match(text)
        if start and not block.table:
            in_attachments = bool(_ATTACHMENT_ITEM.match(start.group(1)))
            if start.group(1):
                attachments.append(start.group(1))
            continue
        if in_attachments and not block.table and _ATTACHMENT_ITEM.match(text) and block.level <= 0:
            attachments.append(text)  # 2．… after 附件：1．…; an unnumbered 附件说明 has one line only
            continue
        in_attachments = False
        cc = _CC_LINE.match(text)
        if cc:
            result.cc = _split_names(cc.group(1))
            continue
        if _PRINT_LINE.search(text) and len(text) <= 60:
            dropped.append("印发机关和印发日期")
            continue
        if _DATE_LINE.match(text):
            if body and len(body[-1]) <= 30 and not _ends_sentence(body[-1]) and not _is_heading_text(body[-1]):
                body.pop()  # 发文机关署名 above the date
            dropped.append("落款和成文日期")
            if any(_ATTACHMENT_PAGE.match(later.text) for later in rest[index + 1 :]):
                dropped.append("文末的附件内容（请作为附件另行上传）")
                ended = True
            continue
        if _NUMBER_LINE.match(text):
            dropped.append("发文字号（编号时自动生成）")
            continue
        if block.table:
            tables += 1
            body.append(text)
            continue
        body.append(_numbered(block, counters, shift))
    result.body = "\n".join(body)
    result.attachment_note = "\n".join(_attachment_item(item) for item in attachments)
    if not result.title:
        result.warnings.append("未能识别标题（标题样式或居中的大字号首段），请填写标题")
    if tables:
        result.warnings.append(f"表格已转为文字（{tables} 行，单元格之间以空格分隔），请核对正文")
    for what in dict.fromkeys(dropped):
        result.warnings.append(f"已略去{what}")
    if len(result.body) > 50000:
        result.warnings.append(f"正文有 {len(result.body)} 字，超过 50000 字的上限，请删减后再提交")
    return result


def _take_title(blocks: list[_Block], result: WordImport) -> list[_Block]:
    leading = [i for i, block in enumerate(blocks[:6]) if not _NUMBER_LINE.match(block.text)]
    styled = [i for i in leading if blocks[i].level == -1]
    if styled:
        start = styled[0]
    elif leading and (blocks[leading[0]].centred or blocks[leading[0]].large) and not blocks[leading[0]].table:
        start = leading[0]
    else:
        return blocks
    end = start + 1
    first = blocks[start]
    while end < len(blocks) and len(blocks[end].text) <= 40 and not blocks[end].table:
        following = blocks[end]
        same = following.level == -1 if first.level == -1 else (following.centred and following.large)
        if not same or following.text.endswith(("：", ":")):
            break
        end += 1
    result.title = "".join(block.text for block in blocks[start:end])[:200]
    skipped = blocks[:start]
    if skipped:
        result.warnings.append("已略去标题之前的内容（版头、发文字号等由系统生成）")
    return blocks[end:]


def _take_recipients(blocks: list[_Block], result: WordImport) -> list[_Block]:
    if not blocks:
        return blocks
    first = blocks[0]
    text = first.text
    colon = text.endswith(("：", ":")) and len(text) <= 100 and first.level <= 0
    if colon and not _ATTACHMENT_START.match(text) and not _is_heading_text(text):
        result.main_recipients = _split_names(text[:-1])
        return blocks[1:]
    return blocks


def _split_names(text: str) -> list[str]:
    return unit_names(text)  # 各县（市、区）人民政府 stays one name


def _ends_sentence(text: str) -> bool:
    return text.endswith(("。", "！", "？", "；", ".", "!", "?", ";", "：", ":"))


def _is_heading_text(text: str) -> bool:
    return any(pattern.match(text) for pattern in _EXISTING_NUMBER)


def chinese_number(value: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (序数 up to 99; more is written in digits)."""
    if value < 10:
        return CN_DIGITS[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")
    return str(value)


def heading_prefix(level: int, count: int) -> str:
    """一、 （一） 1． （1）: the four levels of GB/T 9704 §7.3.3."""
    if level == 1:
        return f"{chinese_number(count)}、"
    if level == 2:
        return f"（{chinese_number(count)}）"
    if level == 3:
        return f"{count}．"
    return f"（{count}）"


def _numbered(block: _Block, counters: list[int], shift: int) -> str:
    text = block.text
    if block.level >= 1:
        level = min(block.level - shift, 4)
        counters[level - 1] += 1
        for deeper in range(level, 4):
            counters[deeper] = 0
        for pattern in _EXISTING_NUMBER:
            text = pattern.sub("", text, count=1)
        return heading_prefix(level, counters[level - 1]) + text
    return _normalised_number(text)


def _normalised_number(text: str) -> str:
    """A number the author typed, in the forms the typesetter knows: （一） （1） 1． 一、"""
    text = re.sub(r"^[(（]\s*([一二三四五六七八九十百零〇]+|\d+)\s*[)）]\s*", r"（\1）", text)
    text = re.sub(r"^(\d+)\s*[.．、]\s*(?!\d)", r"\1．", text)
    return re.sub(r"^([一二三四五六七八九十百零〇]+)\s*[.．，,]\s*", r"\1、", text)


def _attachment_item(item: str) -> str:
    """One 附件说明 line: no 「附件：」, no number (the typesetter numbers several), no final punctuation (§7.3.4)."""
    found = _ATTACHMENT_ITEM.match(item)
    name = found.group(2) if found else item
    return name.strip(" \u3000").rstrip(_FINAL_PUNCTUATION)
