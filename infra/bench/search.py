"""全文检索 at two archive sizes: what a query asks of DynamoDB and how long it takes with 1,000 and
with 100,000 indexed documents in 档案 (issue 13: the same within 20%).

The archive is built in the in-process local stack, in bulk: each document is a ``DocumentItem`` in
the records table and its postings are what ``oa_core.search.indexing.postings`` makes of
``document_fields``/``document_access`` (jieba, field weights, access fields), written with pynamodb's
``batch_write``; the scope's statistics item is updated once per batch. Left out of the bulk path,
because no query reads them: each document's manifest and its postings in scope 发文.

Filler text is drawn from jieba's own dictionary (its 2- and 3-character words by frequency, Zipf-like
weights 1/rank), never holding a word of the measured queries; a fixed set of planted documents (拟稿人
lina, 政策法规科) holds them, so each query finds the same documents at both sizes. Each query runs
through the gateway (``GET /api/search``, scope 档案) as lina (who may read the planted documents) and as
xuhui (综合科's 文书, who may not); a frequent filler word is measured besides, as context: its result
grows with the archive, and its cost with it up to the 2,000 postings a term reads.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from infra.bench.meter import Meter, Records

if TYPE_CHECKING:
    from infra.local.stack import LocalStack

SIZES = (1_000, 100_000)
RUNS = 15
PLANTED = 30
TARGET_RATIO = 1.2
WITH_ACCESS, WITHOUT_ACCESS = "lina", "xuhui"
ROUTE = "ApiFunction GET /api/search"
QUERIES = (
    ("one word", "危化品"),
    ("two words", "安全 检查"),
    ("发文字号 miswritten", "示例办发[2026]7号"),
    ("phrase of an attachment", "应急照明"),
)
EXPECTED = {"危化品": 10, "安全 检查": PLANTED, "示例办发[2026]7号": 1, "应急照明": 5}
"""Planted documents each query finds (for lina; xuhui finds none of them)."""
VOCABULARY = 20_000
FREQUENT_RANK = 10
"""The filler word measured as context (its rank by frequency)."""
BATCH = 500
FILLER_DEPARTMENTS = (("zhangwei", "bgs"), ("lina", "zcfgk"), ("chenjing", "cwk"), ("yangfan", "zhk"))


@dataclass
class Measured:
    size: int
    label: str
    q: str
    user: str
    total: int
    requests: dict[str, int]
    items_read: int
    seconds: float
    handler_seconds: float

    @property
    def request_count(self) -> int:
        return sum(self.requests.values())


@dataclass
class SearchBench:
    sizes: tuple[int, ...]
    runs: int
    build_seconds: dict[int, float] = field(default_factory=dict)
    postings: dict[int, int] = field(default_factory=dict)
    frequent_word: str = ""
    rows: list[Measured] = field(default_factory=list)
    scans: list[str] = field(default_factory=list)

    def row(self, size: int, q: str, user: str) -> Measured:
        return next(r for r in self.rows if r.size == size and r.q == q and r.user == user)

    def missed(self) -> list[str]:
        """Planted queries whose requests differ between the sizes or whose time grows past the target."""
        small, large = self.sizes[0], self.sizes[-1]
        out = [f"search: {scan}" for scan in self.scans]
        for _, q in QUERIES:
            for user in (WITH_ACCESS, WITHOUT_ACCESS):
                a, b = self.row(small, q, user), self.row(large, q, user)
                if a.request_count != b.request_count:
                    out.append(f"search {q!r} as {user}: {a.request_count} vs {b.request_count} requests")
                if b.seconds > a.seconds * TARGET_RATIO:
                    out.append(f"search {q!r} as {user}: {b.seconds / a.seconds:.2f}x the time at {large:,}")
        return out


# ---------------------------------------------------------------------- text
def reserved_terms() -> set[str]:
    """Every index term a measured query looks up: no filler document may hold one."""
    from oa_core.search import terms

    return {term for _, q in QUERIES for term in terms.query_terms(q)}


def vocabulary(reserved: set[str], size: int = VOCABULARY) -> list[str]:
    """jieba's most frequent 2- and 3-character Chinese words that index as no reserved term."""
    import jieba

    from oa_core.search import terms

    ranked: list[tuple[int, str]] = []
    with jieba.Tokenizer().get_dict_file() as lines:
        for raw in lines:
            word, freq, *_ = raw.decode("utf-8").split()
            if 2 <= len(word) <= 3 and all("\u4e00" <= c <= "\u9fff" for c in word):
                ranked.append((int(freq), word))
    ranked.sort(key=lambda entry: (-entry[0], entry[1]))
    words: list[str] = []
    for _, word in ranked:
        indexed = terms.words(word)
        if indexed and not reserved.intersection(indexed) and word not in terms.STOPWORDS:
            words.append(word)
            if len(words) == size:
                break
    return words


class Filler:
    """Zipf-like text: a word of rank r drawn with weight 1/r."""

    def __init__(self, words: list[str], seed: int = 13) -> None:
        self.words = words
        self.cumulative: list[float] = []
        total = 0.0
        for rank in range(1, len(words) + 1):
            total += 1.0 / rank
            self.cumulative.append(total)
        self.random = random.Random(seed)  # noqa: S311 - reproducible text, not a secret

    def draw(self, n: int) -> list[str]:
        return self.random.choices(self.words, cum_weights=self.cumulative, k=n)

    def title(self) -> str:
        return "关于" + "".join(self.draw(3)) + "的通知"

    def body(self) -> str:
        return "。".join("，".join(self.draw(4)) for _ in range(3)) + "。"


# ---------------------------------------------------------------------- documents
def _document(n: int, title: str, body: str, number: str, drafter: str, department: str, date: str) -> Any:
    from oa_core.outgoing.storage import DocumentItem
    from oa_core.platform.storage import doc_pk

    document_id = f"{date.replace('-', '')}-{n:010x}"
    return DocumentItem(
        doc_pk(document_id),
        "META",
        document_id=document_id,
        doc_type="通知",
        title=title,
        body=body,
        main_recipients=["各处室"],
        drafter=drafter,
        drafter_department=department,
        reviewer="wangfang",
        signer="zhaolei",
        status="archived",
        current_step="done",
        number=number,
        sign_date=date,
        archive_code=f"0001-WS·{date[:4]}-Y-{n:05d}",
        created_at=f"{date}T09:00:00+08:00",
        updated_at=f"{date}T09:00:00+08:00",
    )


def planted(n: int) -> tuple[Any, str]:
    """The n-th planted document (1-based) and the text of its attachment ("" for none)."""
    body = f"一、开展第{n}批校园安全检查，全面排查隐患。"
    if n % 3 == 0:
        body += "二、重点检查实验室危化品的存放。"
    doc = _document(
        n, f"关于开展第{n}批校园安全检查的通知", body, f"示例办发〔2026〕{n}号", "lina", "zcfgk", "2026-03-01"
    )
    attachment = "附表：消防通道与应急照明的检查记录" if n % 6 == 0 else ""
    return doc, attachment


def filler(n: int, text: Filler, reserved: set[str]) -> tuple[Any, dict[str, Any], int]:
    """The n-th filler document, its postings (redrawn until it holds no reserved term) and its length."""
    from oa_core.search import indexing

    drafter, department = FILLER_DEPARTMENTS[n % len(FILLER_DEPARTMENTS)]
    year = 2016 + n % 10
    date = f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}"
    while True:
        doc = _document(n, text.title(), text.body(), f"示例财发〔{year}〕{n}号", drafter, department, date)
        postings, length = indexing.postings(
            doc.document_id, indexing.document_fields(doc, []), ["archive"], date, indexing.document_access(doc)
        )
        if not any(key.partition("#")[2] in reserved for key in postings):
            return doc, postings, length


def _write(docs: list[Any], postings: list[Any], attachments: list[Any], docs_count: int, length: int) -> None:
    from oa_core.outgoing.storage import DocumentItem
    from oa_core.search.storage import PostingItem, StatsItem

    with DocumentItem.batch_write() as batch:
        for doc in docs:
            batch.save(doc)
    with PostingItem.batch_write() as batch:
        for posting in postings:
            batch.save(posting)
    for item in attachments:
        item.save()
    StatsItem("STATS#archive", "STATS").update(actions=[StatsItem.docs.add(docs_count), StatsItem.length.add(length)])


def build(start: int, size: int, text: Filler, reserved: set[str]) -> int:
    """Documents start..size-1 of the archive (the first PLANTED planted); postings written."""
    from oa_core.search import indexing
    from oa_core.search.storage import AttachmentTextItem, manifest_pk

    written = 0
    for first in range(start, size, BATCH):
        docs: list[Any] = []
        postings: list[Any] = []
        attachments: list[Any] = []
        length = 0
        for n in range(first, min(first + BATCH, size)):
            if n < PLANTED:
                doc, attachment = planted(n + 1)
                texts = []
                if attachment:
                    texts = [AttachmentTextItem(manifest_pk(doc.document_id), "ATT#检查表.pdf", name="检查表.pdf")]
                    texts[0].text = attachment
                    attachments += texts
                fields = indexing.document_fields(doc, texts)
                new, words = indexing.postings(
                    doc.document_id, fields, ["archive"], doc.sign_date, indexing.document_access(doc)
                )
            else:
                doc, new, words = filler(n, text, reserved)
            docs.append(doc)
            postings += new.values()
            length += words
        _write(docs, postings, attachments, len(docs), length)
        written += len(postings)
        if (first + BATCH) % 10_000 == 0:
            print(f"bench: 检索 archive at {first + BATCH:,} documents", file=sys.stderr, flush=True)
    return written


# ---------------------------------------------------------------------- queries
def _handler_requests(records: Records) -> tuple[dict[str, int], int]:
    calls = [c for c in records.calls if c.service == "dynamodb" and c.source == ROUTE]
    reads = sum(c.items for c in calls if c.operation in ("Query", "BatchGetItem", "GetItem"))
    return dict(sorted(Counter(c.operation for c in calls).items())), reads


def query(driver: Any, meter: Meter, size: int, label: str, q: str, user: str, runs: int) -> Measured:
    path = f"/api/search?q={quote(q)}&scope=archive"
    driver.call("GET", path, user, phase="local")  # warm: the session, jieba, the handler
    meter.take()
    seconds: list[float] = []
    handler: list[float] = []
    requests: dict[str, int] = {}
    reads, total = 0, -1
    for _ in range(runs):
        began = time.perf_counter()
        status, reply = driver.call("GET", path, user)
        seconds.append(time.perf_counter() - began)
        if status != 200:
            raise RuntimeError(f"bench: GET {path} as {user} answered {status}: {reply!r}")
        records = meter.take()
        handler.append(sum(i.seconds for i in records.invocations if i.label == ROUTE))
        requests, reads = _handler_requests(records)
        total = int(reply["total"])
    return Measured(
        size, label, q, user, total, requests, reads, statistics.median(seconds), statistics.median(handler)
    )


def measure(stack: LocalStack, meter: Meter, sizes: tuple[int, ...] = SIZES, runs: int = RUNS) -> SearchBench:
    """Build the archive up to each size in turn and run every query at each (meter installed, stack started)."""
    from infra.bench.flow import Driver

    if sorted(sizes) != list(sizes) or sizes[0] < PLANTED:
        raise ValueError(f"sizes must grow and hold the {PLANTED} planted documents: {sizes}")
    result = SearchBench(sizes=sizes, runs=runs)
    reserved = reserved_terms()
    words = vocabulary(reserved)
    result.frequent_word = words[FREQUENT_RANK - 1]
    text = Filler(words)
    driver = Driver(stack, meter)
    queries = [*QUERIES, (f"frequent filler word (rank {FREQUENT_RANK}), context", result.frequent_word)]
    built, postings = 0, 0
    for size in sizes:
        began = time.perf_counter()
        with meter.paused():
            postings += build(built, size, text, reserved)
        result.build_seconds[size] = time.perf_counter() - began
        result.postings[size] = postings
        built = size
        for label, q in queries:
            for user in (WITH_ACCESS, WITHOUT_ACCESS):
                result.rows.append(query(driver, meter, size, label, q, user, runs))
        result.scans += meter.take().scans
    return result


def report(result: SearchBench) -> str:
    small, large = result.sizes[0], result.sizes[-1]
    builds = "; ".join(
        f"{size:,} documents ({result.postings[size]:,} postings) in {result.build_seconds[size]:.0f} s"
        for size in result.sizes
    )
    out = [
        "## 6. 全文检索 at two archive sizes (in-process local stack)",
        "",
        f"Built in bulk ({builds}, cumulative); each query `GET /api/search?scope=archive` {result.runs} times "
        "after one warm-up, medians. Requests: the API function's DynamoDB requests for the query. "
        f"People: {WITH_ACCESS} (拟稿人 of the planted documents), "
        f"{WITHOUT_ACCESS} (文书 of 综合科, may not read them).",
        "",
        f"| query | as | found {small:,} / {large:,} | DynamoDB requests {small:,} / {large:,} | items read "
        f"| ms {small:,} | ms {large:,} | ratio | handler ms {small:,} / {large:,} |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in (r for r in result.rows if r.size == small):
        big = result.row(large, row.q, row.user)

        def ops(measured: Measured) -> str:
            return ", ".join(f"{op} {n}" for op, n in measured.requests.items())

        same = ops(row) if row.requests == big.requests else f"{ops(row)} / {ops(big)}"
        out.append(
            f"| {row.label}: `{row.q}` | {row.user} | {row.total} / {big.total} | {same} "
            f"| {row.items_read} / {big.items_read} | {row.seconds * 1000:.0f} | {big.seconds * 1000:.0f} "
            f"| {big.seconds / row.seconds:.2f} | {row.handler_seconds * 1000:.0f} / {big.handler_seconds * 1000:.0f} |"
        )
    missed = result.missed()
    verdict = "every planted query within the target" if not missed else "; ".join(missed)
    out += [
        "",
        f"Target: the planted queries' requests equal and their time within {TARGET_RATIO:.0%} of the small "
        f"archive's at {large:,} documents — {verdict}. Scans: {len(result.scans)}.",
        "",
    ]
    return "\n".join(out)
