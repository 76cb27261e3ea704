"""印制 against LibreOffice: one 通知 rendered as PDF and OFD by the typesetter, and the same document as .docx
(publishing.wordfile) converted to PDF by LibreOffice headless, side by side in one run.

* cold: a fresh ``python`` process that imports the typesetter and renders the PDF and the OFD once (interpreter
  start, imports, reading the faces' prepared states and subsetting all paid), wall time of the whole process
  seen from here, with the environment of a Lambda process (nothing of this one's Python settings);
* LibreOffice: ``soffice --headless --convert-to pdf`` of the .docx, a fresh process each time with a profile made
  by an untimed first conversion (LibreOffice's own warm state), wall time of the whole process;
* the two cold sides alternate, COLD_RUNS processes each, one at a time (typesetter, LibreOffice, typesetter, ...),
  after one untimed process of each (the ``.pyc`` files a built layer ships, LibreOffice's profile), so a burst of
  load on the machine falls on both; the medians are compared, the spread and the load average are reported;
* warm: the typesetter in this process after one render (the faces read, `publishing.faces`), median of RUNS.

Targets (issue 15): warm ≤ 0.25 × LibreOffice, cold ≤ 1 ×. LibreOffice comes from Debian's
``libreoffice-writer-nogui``, installed by ``make bench-deps`` (``make bench`` only); without ``soffice`` the
part reports the typesetter's figures alone.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT / "layers" / "oa_core") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "layers" / "oa_core"))
RUNS = 5
COLD_RUNS = 9
WARM_TARGET = 0.25
COLD_TARGET = 1.0
SOFFICE_TIMEOUT = 180

COLD_SCRIPT = """
import json, sys, time
began = time.perf_counter()
sys.path[:0] = [{core!r}, {root!r}]
from infra.bench.render import sample
from oa_core.publishing.typesetting import render
from oa_core.publishing import ofd
drawn = render(sample(), {fonts!r})
data = ofd.package(drawn.ofd)
print(json.dumps({{"seconds": time.perf_counter() - began, "pdf": len(drawn.pdf), "ofd": len(data)}}))
"""


def sample() -> object:
    """The bench's 通知: one page of 正文 with headings, 附件说明, 抄送 and the seal (two pages with the 版记)."""
    from oa_core.publishing.document import OfficialDocument

    body = (
        "为切实做好2026年冬季安全生产工作，有效防范和坚决遏制各类生产安全事故发生，保障人民群众生命财产安全，"
        "经市人民政府同意，现将有关事项通知如下。\n一、总体要求\n坚持人民至上、生命至上，统筹发展和安全，"
        "压紧压实安全生产责任，全面排查整治各类风险隐患。\n（一）加强组织领导。各单位主要负责人要切实履行安全生产"
        "第一责任人职责，亲自部署、亲自检查。\n二、工作措施\n各区县人民政府、市政府各部门要在12月31日前完成自查"
        "自纠工作，并将工作情况报送市应急管理局。"
    )
    return OfficialDocument(
        issuer_name="示例市人民政府办公室",
        doc_type="通知",
        number="示例办发〔2026〕7号",
        title="示例市人民政府办公室关于做好2026年冬季安全生产工作的通知",
        main_recipients=["各区县人民政府", "市政府各部门"],
        body=body,
        sign_date=datetime.date(2026, 11, 25),
        signature="示例市人民政府办公室",
        attachment_note="2026年冬季安全生产检查表",
        cc=["市委办公室", "市人大常委会办公室"],
        seal_code="3F9A2C7D1E0B4A65",
    )


@dataclass(frozen=True)
class RenderResult:
    cold_runs: list[float]
    warm: float
    pdf_bytes: int
    ofd_bytes: int
    docx_bytes: int
    soffice_runs: list[float]
    soffice_pdf_bytes: int
    soffice_version: str
    load: list[tuple[float, float, float]] = field(default_factory=list)
    """The load average (1, 5, 15 min) before the cold runs and after them."""
    cpus: int = 0

    @property
    def cold(self) -> float:
        return statistics.median(self.cold_runs)

    @property
    def soffice(self) -> float | None:
        return statistics.median(self.soffice_runs) if self.soffice_runs else None

    def ratio(self, seconds: float) -> float | None:
        return seconds / self.soffice if self.soffice else None

    def missed(self) -> list[str]:
        out = []
        warm, cold = self.ratio(self.warm), self.ratio(self.cold)
        if warm is not None and warm > WARM_TARGET:
            out.append(f"warm render {warm:.2f}x LibreOffice (target {WARM_TARGET}x)")
        if cold is not None and cold > COLD_TARGET:
            out.append(f"cold render {cold:.2f}x LibreOffice (target {COLD_TARGET}x)")
        return out


def fonts_dir() -> Path:
    """The fonts layer as the local stack builds it (once a machine)."""
    from infra.local.provision import build_makefile_layer
    from infra.local.template import Template

    return build_makefile_layer(Template.from_file(REPO_ROOT / "template.yaml"), "FontsLayer") / "fonts"


def cold_environment() -> dict[str, str]:
    """A fresh process's environment, as a Lambda's: no PYTHONPATH, PYTHONDONTWRITEBYTECODE, ... of this one."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    return {name: os.environ[name] for name in keep if name in os.environ} | {"TZ": ":UTC"}


def cold_typesetter(fonts: Path) -> tuple[float, int, int]:
    """One fresh process rendering the PDF and the OFD: (its wall time in s, PDF bytes, OFD bytes)."""
    script = COLD_SCRIPT.format(core=str(REPO_ROOT / "layers" / "oa_core"), root=str(REPO_ROOT), fonts=str(fonts))
    began = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        cwd=REPO_ROOT,
        env=cold_environment(),
    )
    seconds = time.perf_counter() - began
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds, int(answer["pdf"]), int(answer["ofd"])


def soffice_command(soffice: str, folder: Path) -> list[str]:
    return [
        soffice,
        f"-env:UserInstallation=file://{folder / 'profile'}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(folder / "out"),
        str(folder / "notice.docx"),
    ]


def _timed(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, timeout=SOFFICE_TIMEOUT)  # noqa: S603 - no shell
    return time.perf_counter() - began


def measure(runs: int = RUNS, cold_runs: int = COLD_RUNS) -> RenderResult:
    from oa_core.publishing import ofd
    from oa_core.publishing.typesetting import render
    from oa_core.publishing.wordfile import render_docx

    fonts = fonts_dir()
    doc = sample()
    docx = render_docx(doc)  # type: ignore[arg-type]
    soffice = shutil.which("soffice")
    version = ""
    cold: list[float] = []
    office: list[float] = []
    soffice_bytes = 0
    with tempfile.TemporaryDirectory(prefix="oa-bench-soffice-") as tmp:
        folder = Path(tmp)
        (folder / "notice.docx").write_bytes(docx)
        command = soffice_command(soffice, folder) if soffice else []
        if soffice:
            version = subprocess.run(  # noqa: S603 - soffice from PATH, no shell
                [soffice, "--version"], capture_output=True, text=True, check=False, timeout=60
            ).stdout.strip()
            _timed(command)  # the first conversion makes the profile (untimed)
        _seconds, pdf_bytes, ofd_bytes = cold_typesetter(fonts)  # untimed: the .pyc files a built layer ships
        load = [os.getloadavg()]
        for _ in range(cold_runs):
            seconds, pdf_bytes, ofd_bytes = cold_typesetter(fonts)
            cold.append(seconds)
            if command:
                office.append(_timed(command))
        load.append(os.getloadavg())
        if command:
            soffice_bytes = (folder / "out" / "notice.pdf").stat().st_size
    render(doc, fonts)  # type: ignore[arg-type]
    warm = []
    for _ in range(runs):
        began = time.perf_counter()
        drawn = render(doc, fonts)  # type: ignore[arg-type]
        ofd.package(drawn.ofd)
        warm.append(time.perf_counter() - began)
    return RenderResult(
        cold,
        statistics.median(warm),
        pdf_bytes,
        ofd_bytes,
        len(docx),
        office,
        soffice_bytes,
        version,
        load,
        os.cpu_count() or 0,
    )


def report(result: RenderResult) -> str:
    def ratio(seconds: float) -> str:
        value = result.ratio(seconds)
        return f"{value:.3f}×" if value is not None else "—"

    def spread(values: list[float]) -> str:
        return f"{min(values):.3f}–{max(values):.3f}"

    cold_n = len(result.cold_runs)
    lines = [
        "## 印制 against LibreOffice (issue 15)",
        "",
        "| what | median s | min–max s | × LibreOffice | target | bytes written |",
        "|---|---:|---:|---:|---:|---:|",
        f"| cold: fresh process, PDF + OFD ({cold_n} runs) | {result.cold:.3f} | {spread(result.cold_runs)} "
        f"| {ratio(result.cold)} | ≤ {COLD_TARGET}× | PDF {result.pdf_bytes}, OFD {result.ofd_bytes} |",
        f"| warm: in process, PDF + OFD ({RUNS} runs) | {result.warm:.3f} | | {ratio(result.warm)} "
        f"| ≤ {WARM_TARGET}× | PDF {result.pdf_bytes}, OFD {result.ofd_bytes} |",
    ]
    if result.soffice is not None:
        lines.append(
            f"| LibreOffice headless: .docx ({result.docx_bytes} bytes) → PDF ({len(result.soffice_runs)} runs) "
            f"| {result.soffice:.3f} | {spread(result.soffice_runs)} | 1× | | PDF {result.soffice_pdf_bytes} |"
        )
    lines.append("")
    if result.soffice is not None:
        best = min(result.cold_runs) / min(result.soffice_runs)
        lines.append(
            f"The cold processes alternate with LibreOffice's, one at a time; ratio of the fastest runs {best:.3f}×. "
            f"LibreOffice: {result.soffice_version}."
        )
    else:
        lines.append("LibreOffice (soffice) not installed: `make bench-deps` installs libreoffice-writer-nogui.")
    if result.load:
        before, after = result.load[0], result.load[-1]
        lines.append(
            f"Load average during the cold runs ({result.cpus} CPUs): before {before[0]:.2f} / {before[1]:.2f} / "
            f"{before[2]:.2f}, after {after[0]:.2f} / {after[1]:.2f} / {after[2]:.2f} (1 / 5 / 15 min)."
        )
    return "\n".join([*lines, ""])
