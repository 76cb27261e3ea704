"""标题 words: jieba's segmentation of a 标题 (no HMM), its dictionary read from an SQLite file a word at a time.

jieba loads its whole prefix dictionary (about 580 000 entries: `marshal` from a cache file under the temporary
directory, or built from its ``dict.txt`` when there is none, as in every fresh Lambda) before it cuts its first
sentence: 0.6–0.8 s of a cold render here, more in Lambda. A 标题 needs only the entries of its own substrings.
The fonts layer's build (layers/fonts) writes jieba's prefix dictionary (`Tokenizer.gen_pfdict` of its
``dict.txt``, every word with its frequency and every prefix of a word with 0) into `WORDS_FILE`, an SQLite
table keyed by word, beside the faces; a title looks its substrings up there (`_Table`), and jieba's own
`Tokenizer` cuts it with that table as its dictionary: the same entries and the same algorithm, so the same
words (tests/unit/publishing/test_words.py compares them). The file is opened read-only and immutable (Lambda's
/opt is read-only, nothing is written beside it). Without the file (fonts from elsewhere), jieba loads its
dictionary as before.

`use(directory)` names the directory to look in (the typesetter calls it with its font directory).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from functools import cache
from pathlib import Path
from typing import Any

WORDS_FILE = "jieba-words.sqlite3"
"""jieba's prefix dictionary as SQLite, in the fonts layer (built by layers/fonts/prepare.py)."""
_directory: list[Path] = []


def use(directory: str | os.PathLike[str]) -> None:
    """Look for `WORDS_FILE` in `directory` (the fonts layer) from now on."""
    path = Path(directory)
    if _directory != [path]:
        _directory[:] = [path]


def segment(text: str) -> list[str]:
    """jieba's words of `text` (``lcut(text, HMM=False)``)."""
    path = _directory[0] / WORDS_FILE if _directory else None
    tokenizer = _tokenizer(path if path is not None and path.is_file() else None)
    return list(tokenizer.lcut(text, HMM=False))


@cache
def _tokenizer(path: Path | None) -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    if path is not None:
        table = _Table(path)
        tokenizer.FREQ = table
        tokenizer.total = table.total
        tokenizer.initialized = True  # jieba's check: its dictionary is `table`, nothing to load
    return tokenizer


class _Table:
    """jieba's FREQ, read-only, over the SQLite file: word → frequency (0 for a prefix); answers cached."""

    def __init__(self, path: Path) -> None:
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self.total = int(self._db.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()[0])
        self._known: dict[str, int | None] = {}

    def get(self, word: str, default: Any = None) -> Any:
        if word not in self._known:
            row = self._db.execute("SELECT freq FROM words WHERE word = ?", (word,)).fetchone()
            self._known[word] = None if row is None else int(row[0])
        found = self._known[word]
        return default if found is None else found

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        found = self.get(word)
        if found is None:
            raise KeyError(word)
        return int(found)


def write_dictionary(out: Path) -> None:
    """jieba's prefix dictionary of its ``dict.txt`` as `WORDS_FILE` at `out` (the fonts layer's build)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    freq, total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    partial = out.with_name(f".{out.name}.{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        with sqlite3.connect(partial) as db:
            db.execute("CREATE TABLE words (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.executemany("INSERT INTO words VALUES (?, ?)", sorted(freq.items()))
            db.execute("INSERT INTO meta VALUES ('total', ?)", (str(total),))
        db.close()
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
