"""标题 words: jieba's segmentation of a 标题 (no HMM), its dictionary read for the title's characters only.

jieba loads its whole prefix dictionary (about 498 000 entries, 349 000 of them words: `marshal` from a cache file
under the temporary directory, or built from its ``dict.txt`` when there is none, as in every fresh Lambda) before
it cuts its first sentence: 0.6–0.8 s of a cold render here, more in Lambda. A 标题 needs only the entries of its
own substrings, which all begin with one of its characters. The fonts layer's build (layers/fonts) writes
`INDEX_FILE`: for each first character, where jieba's ``dict.txt`` (in the search layer) holds the lines of the
words beginning with it, with the dictionary's total frequency and the size and CRC-32 of the file it indexes.
A title then reads those lines alone and builds the entries as jieba's `Tokenizer.gen_pfdict` does (each word
with its frequency, in the file's order, and every prefix of a word with 0), and jieba's own `Tokenizer` cuts it
with them as its dictionary: the same entries and the same algorithm, so the same words
(tests/unit/publishing/test_words.py compares them). Nothing is written (Lambda's /opt is read-only). Without
the index, or with one of another ``dict.txt``, jieba loads its dictionary as before.

`use(directory)` names the directory to look in (the typesetter calls it with its font directory).
"""

from __future__ import annotations

import io
import json
import logging
import os
import threading
import zlib
from functools import cache
from pathlib import Path
from typing import Any

INDEX_FILE = "jieba-words.json"
"""Where jieba's dict.txt holds each first character's words (built by layers/fonts/prepare.py)."""
_directory: list[Path] = []


def use(directory: str | os.PathLike[str]) -> None:
    """Look for `INDEX_FILE` in `directory` (the fonts layer) from now on."""
    path = Path(directory)
    if _directory != [path]:
        _directory[:] = [path]


def segment(text: str) -> list[str]:
    """jieba's words of `text` (``lcut(text, HMM=False)``)."""
    path = _directory[0] / INDEX_FILE if _directory else None
    tokenizer = _tokenizer(path if path is not None and path.is_file() else None)
    if isinstance(tokenizer.FREQ, _Entries):
        tokenizer.FREQ.read(text)
    return list(tokenizer.lcut(text, HMM=False))


def dictionary_file() -> Path:
    import jieba

    return Path(jieba.__file__).parent / str(jieba.DEFAULT_DICT_NAME)


@cache
def _tokenizer(index: Path | None) -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    if index is not None:
        entries = _Entries.of(index, dictionary_file())
        if entries is not None:
            tokenizer.FREQ = entries
            tokenizer.total = entries.total
            tokenizer.initialized = True  # jieba's check: its dictionary is `entries`, nothing to load
    return tokenizer


class _Entries(dict[str, int]):
    """jieba's FREQ for the words beginning with the characters read so far (`read`)."""

    def __init__(self, data: bytes, blocks: dict[str, list[list[int]]], total: int) -> None:
        super().__init__()
        self._data = data
        self._blocks = blocks
        self._read: set[str] = set()
        self._lock = threading.Lock()
        self.total = total

    @classmethod
    def of(cls, index: Path, dictionary: Path) -> _Entries | None:
        described = json.loads(index.read_text(encoding="utf-8"))
        data = dictionary.read_bytes()
        if described.get("size") != len(data) or described.get("crc32") != zlib.crc32(data):
            logging.getLogger(__name__).warning("%s indexes another dict.txt: jieba loads its own", index)
            return None
        return cls(data, described["blocks"], int(described["total"]))

    def read(self, text: str) -> None:
        """The entries of the words beginning with each character of `text`, as `gen_pfdict` makes them (one
        thread at a time: a character counts as read once all its entries are in)."""
        with self._lock:
            for first in set(text) - self._read:
                self._read_words(first)
                self._read.add(first)

    def _read_words(self, first: str) -> None:
        for start, end in self._blocks.get(first, ()):
            for raw in io.BytesIO(self._data[start:end]):  # lines as jieba reads its file
                line = raw.strip().decode("utf-8")
                if not line:
                    continue
                word, freq = line.split(" ")[:2]
                self[word] = int(freq)
                for end_at in range(1, len(word)):
                    self.setdefault(word[:end_at], 0)


def write_index(out: Path) -> None:
    """`INDEX_FILE` of jieba's dict.txt at `out` (the fonts layer's build)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    data = dictionary_file().read_bytes()
    _freq, total = jieba.Tokenizer().gen_pfdict(jieba.Tokenizer().get_dict_file())
    blocks: dict[str, list[list[int]]] = {}
    offset = 0
    for raw in io.BytesIO(data):
        line = raw.strip().decode("utf-8")
        if line:
            first = line[0]
            runs = blocks.setdefault(first, [])
            if runs and runs[-1][1] == offset:
                runs[-1][1] = offset + len(raw)
            else:
                runs.append([offset, offset + len(raw)])
        offset += len(raw)
    document = {"size": len(data), "crc32": zlib.crc32(data), "total": total, "blocks": blocks}
    partial = out.with_name(f".{out.name}.{os.getpid()}")
    try:
        partial.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
