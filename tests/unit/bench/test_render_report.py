"""The 印制 bench compares medians of alternating cold runs and reports their spread and the machine's load."""

from __future__ import annotations

from infra.bench.render import RenderResult, report


def result(cold: list[float], soffice: list[float]) -> RenderResult:
    return RenderResult(
        cold_runs=cold,
        warm=0.02,
        pdf_bytes=59869,
        ofd_bytes=53963,
        docx_bytes=39146,
        soffice_runs=soffice,
        soffice_pdf_bytes=53202,
        soffice_version="LibreOffice 7.4.7.2",
        load=[(2.24, 4.03, 4.12), (2.17, 3.90, 4.08)],
        cpus=2,
    )


def test_the_cold_ratio_is_of_the_medians_and_an_outlier_does_not_move_it() -> None:
    measured = result([0.74, 0.80, 3.0], [1.0, 1.1, 1.2])
    assert measured.cold == 0.80
    assert measured.ratio(measured.cold) == 0.80 / 1.1
    assert measured.missed() == []


def test_a_cold_median_above_libreoffices_is_a_missed_target() -> None:
    assert result([1.3, 1.4, 1.5], [1.0, 1.1, 1.2]).missed() == ["cold render 1.27x LibreOffice (target 1.0x)"]


def test_the_report_gives_the_medians_the_spread_the_runs_and_the_load() -> None:
    text = report(result([0.74, 0.80, 1.18], [1.02, 1.12, 2.02]))
    assert "| cold: fresh process, PDF + OFD (3 runs) | 0.800 | 0.740–1.180 | 0.714× |" in text
    assert "| 1.120 | 1.020–2.020 | 1× |" in text
    assert "ratio of the fastest runs 0.725×" in text
    assert "(2 CPUs): before 2.24 / 4.03 / 4.12, after 2.17 / 3.90 / 4.08" in text


def test_without_libreoffice_the_report_gives_the_typesetter_alone() -> None:
    alone = result([0.74, 0.80, 0.9], [])
    assert alone.soffice is None and alone.missed() == []
    assert "not installed" in report(alone)
