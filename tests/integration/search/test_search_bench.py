"""make bench's 全文检索 part at a tiny size (60 and 150 documents), so that it cannot rot: the planted
documents are found at both sizes by the person who may read them and by no one else, with the same
DynamoDB requests, no Scan, and a report that says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.bench import search as bench_search
from infra.bench.meter import Meter
from infra.local.stack import LocalStack

pytestmark = pytest.mark.integration
SIZES = (60, 150)


@pytest.fixture(scope="module")
def measured() -> Iterator[bench_search.SearchBench]:
    meter = Meter()
    with meter.installed(), LocalStack() as stack:
        yield bench_search.measure(stack, meter, SIZES, runs=1)


def test_each_planted_query_finds_its_documents_at_both_sizes_for_lina_and_none_for_xuhui(
    measured: bench_search.SearchBench,
) -> None:
    for size in SIZES:
        for _, q in bench_search.QUERIES:
            assert measured.row(size, q, bench_search.WITH_ACCESS).total == bench_search.EXPECTED[q], (size, q)
            assert measured.row(size, q, bench_search.WITHOUT_ACCESS).total == 0, (size, q)


def test_a_planted_query_asks_dynamodb_the_same_at_both_sizes_and_never_scans(
    measured: bench_search.SearchBench,
) -> None:
    for _, q in bench_search.QUERIES:
        small, large = (measured.row(size, q, bench_search.WITH_ACCESS) for size in SIZES)
        assert small.requests == large.requests and small.items_read == large.items_read, (small, large)
        assert "Scan" not in small.requests and small.requests.get("Query", 0) >= 1
    assert measured.scans == []


def test_the_filler_never_holds_a_measured_word_and_grows_the_index(measured: bench_search.SearchBench) -> None:
    assert measured.postings[SIZES[1]] > 2 * measured.postings[SIZES[0]] > 0
    frequent = [r for r in measured.rows if r.q == measured.frequent_word and r.user == bench_search.WITH_ACCESS]
    assert frequent[1].items_read > frequent[0].items_read, "the frequent word's postings grow with the archive"


def test_the_report_has_a_row_per_query_and_person_and_names_the_target(measured: bench_search.SearchBench) -> None:
    text = bench_search.report(measured)
    assert text.count("| lina |") == text.count("| xuhui |") == len(bench_search.QUERIES) + 1
    assert "Target:" in text and "Scans: 0" in text


def test_the_vocabulary_is_zipf_like_chinese_words_without_the_query_terms() -> None:
    reserved = bench_search.reserved_terms()
    assert {"安全", "检查", "危化品", "应急", "照明"} <= reserved
    words = bench_search.vocabulary(reserved, size=500)
    assert len(words) == 500 and not reserved.intersection(words)
    drawn = bench_search.Filler(words, seed=1).draw(5000)
    assert drawn.count(words[0]) > 10 * drawn.count(words[99]) > 0, "rank 1 far more frequent than rank 100"
