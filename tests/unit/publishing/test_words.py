"""标题 words read through the fonts layer's index of jieba's dict.txt are jieba's words, from read-only files."""

from __future__ import annotations

import logging
import re
import shutil
import stat
from pathlib import Path

import pytest

from oa_core.publishing import words
from tests.unit.publishing.samples import BODY, LONG, NOTICE, REQUEST, needs_fonts

pytestmark = needs_fonts
TITLES = [
    NOTICE.title,
    REQUEST.title,
    LONG.title,
    "示例市人民政府办公室关于做好2026年冬季安全生产工作的通知",
    "关于建立健全安全生产责任体系开展隐患排查整治专项行动的实施意见",
    "关于印发《示例市突发事件应急预案管理办法（试行）》的通知",
    "国务院办公厅关于进一步优化营商环境降低市场主体制度性交易成本的意见",
    "关于表彰2025年度全市脱贫攻坚先进集体和先进个人的决定",
]


@pytest.fixture(scope="module")
def jieba_tokenizer() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer()


def phrases() -> list[str]:
    """The titles and every clause of the sample bodies: a few hundred texts of 公文 language."""
    clauses = [part for part in re.split(r"[，。；：、\n]", BODY + NOTICE.body + LONG.body) if part]
    return [*TITLES, *clauses]


def test_the_words_read_through_the_index_are_jiebas_own_words(font_dir: Path, jieba_tokenizer: object) -> None:
    assert (font_dir / words.INDEX_FILE).is_file(), "the fonts layer holds no index of jieba's dictionary"
    words.use(font_dir)
    for text in phrases():
        assert words.segment(text) == jieba_tokenizer.lcut(text, HMM=False), text  # type: ignore[attr-defined]


def test_the_index_is_read_from_a_read_only_directory_and_nothing_is_written_there(
    font_dir: Path, tmp_path: Path, jieba_tokenizer: object
) -> None:
    folder = tmp_path / "opt-fonts"
    folder.mkdir()
    shutil.copyfile(font_dir / words.INDEX_FILE, folder / words.INDEX_FILE)
    (folder / words.INDEX_FILE).chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        words.use(folder)
        assert words.segment(TITLES[4]) == jieba_tokenizer.lcut(TITLES[4], HMM=False)  # type: ignore[attr-defined]
        assert sorted(p.name for p in folder.iterdir()) == [words.INDEX_FILE]
    finally:
        folder.chmod(stat.S_IRWXU)
        words.use(font_dir)


def test_without_the_index_jieba_loads_its_own_dictionary(tmp_path: Path, jieba_tokenizer: object) -> None:
    words.use(tmp_path)
    try:
        assert words.segment(TITLES[5]) == jieba_tokenizer.lcut(TITLES[5], HMM=False)  # type: ignore[attr-defined]
        assert words._tokenizer(None).FREQ.__class__ is dict
    finally:
        words._directory.clear()


def test_an_index_of_another_dict_txt_is_not_used(font_dir: Path, tmp_path: Path, jieba_tokenizer: object) -> None:
    import json

    described = json.loads((font_dir / words.INDEX_FILE).read_text(encoding="utf-8"))
    (tmp_path / words.INDEX_FILE).write_text(json.dumps({**described, "crc32": 0}), encoding="utf-8")
    words.use(tmp_path)
    try:
        assert words.segment(TITLES[6]) == jieba_tokenizer.lcut(TITLES[6], HMM=False)  # type: ignore[attr-defined]
        assert words._tokenizer(tmp_path / words.INDEX_FILE).FREQ.__class__ is dict
    finally:
        words._directory.clear()
