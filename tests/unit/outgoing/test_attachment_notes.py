"""附件说明 from the attachments, names kept safe (GB/T 9704-2012 7.3.4)."""

from __future__ import annotations

from oa_core.outgoing.attachments import (
    caption,
    clean_filename,
    clean_title,
    normalise_note,
    note_for,
    title_from_filename,
)


def test_one_attachment_is_its_title_without_a_number() -> None:
    assert caption(note_for(["2026年工作要点"])) == "附件：2026年工作要点"


def test_several_are_numbered_one_a_line_without_final_punctuation() -> None:
    assert note_for(["测算依据。", "实施方案；"]) == "1. 测算依据\n2. 实施方案"


def test_a_typed_label_is_not_doubled() -> None:
    assert normalise_note("附件：1. 2026年工作要点\n2. 分工表。") == "1. 2026年工作要点\n2. 分工表"
    assert caption(normalise_note("附件:测算表")) == "附件：测算表"
    assert clean_title("附件：附件：测算表") == "测算表"


def test_file_names_keep_chinese_and_lose_folders_and_control_characters() -> None:
    assert clean_filename("C:\\Users\\张伟\\桌面\\测算表.xlsx") == "测算表.xlsx"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("方案\r\n\u202e.pdf") == "方案.pdf"
    assert clean_filename("") == "附件"
    long = clean_filename("长" * 300 + ".pdf")
    assert long.endswith(".pdf") and len(long) == 120


def test_a_title_comes_from_the_file_name_without_its_extension() -> None:
    assert title_from_filename("2026年测算依据.pdf") == "2026年测算依据"
